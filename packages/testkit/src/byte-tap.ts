import { createConnection, createServer, type Socket } from "node:net";
import type { ChaosAddress } from "./chaos-proxy-options.js";

/** The bytes one connection carried through a {@link ByteTap}, each direction in arrival order. */
export interface TappedConnection {
  /** Client to target. */
  readonly toTarget: Buffer[];
  /** Target to client. */
  readonly toClient: Buffer[];
}

/** A recording forwarder; see {@link createByteTap}. */
export interface ByteTap {
  /** Where clients connect: `127.0.0.1` and the real port. */
  readonly address: { readonly host: string; readonly port: number };
  /** One entry per accepted connection, in accept order, filled as bytes pass. */
  readonly connections: readonly TappedConnection[];
  /** Stops listening and destroys open connections; idempotent. */
  close(): Promise<void>;
}

/**
 * Listens on loopback and forwards each connection to `target` unchanged, keeping a copy of every
 * chunk in each direction: a way to capture what a real client and server say (a handshake, a
 * session) to replay or mutate later. It adds no faults; use `createChaosProxy` for those.
 */
export async function createByteTap(target: ChaosAddress): Promise<ByteTap> {
  const connections: TappedConnection[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  };
  // Half-open on both legs: a half-close passes through as a half-close, and replies after it
  // still reach the client.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const record: TappedConnection = { toTarget: [], toClient: [] };
    connections.push(record);
    const upstream = createConnection({ ...target, allowHalfOpen: true });
    track(client);
    track(upstream);
    client.on("data", (chunk) => record.toTarget.push(chunk));
    upstream.on("data", (chunk) => record.toClient.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    client.once("close", (hadError) => hadError && upstream.destroy());
    upstream.once("close", (hadError) => hadError && client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, resolve);
  });
  const { port } = server.address() as { port: number };
  let closing: Promise<void> | undefined;
  return {
    address: { host: "127.0.0.1", port },
    connections,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
