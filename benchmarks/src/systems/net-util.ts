/** Socket plumbing shared by the adapters built on node:net (raw, vscode-jsonrpc, HTTP). */
import { rmSync } from "node:fs";
import type { Server } from "node:net";
import { connect, type Socket } from "node:net";
import { type Endpoint, type ListenSpec, tcpEndpoint, unixEndpoint } from "./system.js";

/** Milliseconds a client waits for its connection before giving up. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Starts `server` listening on `listen` and returns the real endpoint (with the real port). */
export async function listenOn(
  server: Server,
  listen: ListenSpec,
  scheme?: string,
): Promise<Endpoint> {
  if (listen.transport === "unix") rmSync(listen.path, { force: true }); // a stale file from a crash
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const done = (): void => {
      server.off("error", reject);
      resolve();
    };
    if (listen.transport === "tcp") server.listen(0, listen.host, done);
    else server.listen(listen.path, done);
  });
  if (listen.transport === "unix") return unixEndpoint(listen.path, scheme);
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("listener has no TCP port");
  return tcpEndpoint(listen.host, address.port, scheme);
}

/** Tracks a server's sockets so `close` can end them: `server.close()` alone waits for idle peers. */
export function trackSockets(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}

/** Opens a socket to `endpoint` with Nagle's algorithm off. */
export function connectSocket(endpoint: Endpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      endpoint.transport === "tcp"
        ? connect({ host: endpoint.host, port: endpoint.port, noDelay: true })
        : connect({ path: endpoint.path });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to ${endpoint.url} within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
  });
}

/** Ends a socket gracefully and resolves once it is closed (destroying it if that takes too long). */
export function closeSocket(socket: Socket, timeoutMs = 2_000): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
