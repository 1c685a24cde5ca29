import { createServer, type Socket } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { ConnectionLostError, connect, defineContract, serve, z } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

async function startServer(url = `unix://${tempSocketPath()}`) {
  const server = await serve({ url, contract: testContract, handlers: testHandlers() });
  onTestFinished(() => server.close());
  return server;
}

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("client lifecycle", () => {
  it("does not take a remote handler's own CONNECTION_LOST for its connection's, even with reconnect on", async () => {
    const gateway = defineContract({
      name: "gw",
      version: 1,
      requests: { lookup: { input: z.string(), output: z.string(), idempotent: true } },
    });
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: gateway,
      handlers: {
        lookup: () => {
          throw new ConnectionLostError(
            "connection to the backend lost while lookup was in flight",
          );
        },
      },
    });
    onTestFinished(() => server.close());
    const client = await connect({ url: server.url, contract: gateway, reconnect: true });
    onTestFinished(() => client.close());
    const error = await client.call.lookup("x", { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "RemoteError", code: "CONNECTION_LOST" });
    expect(client.connected).toBe(true);
  });

  it("escalates a close() in progress when destroy() is called: in-flight calls fail at once", async () => {
    const server = await startServer();
    const client = await connect({ url: server.url, contract: testContract });
    const call = client.call.slow({ ms: 10_000 });
    const outcome = call.catch((e: { code: string }) => e.code);
    await new Promise((r) => setTimeout(r, 20));
    const closing = client.close();
    client.destroy();
    expect(await outcome).toMatch(/^(CONNECTION_LOST|ABANDONED|UNAVAILABLE)$/);
    await closing;
    await expect(client.closed).resolves.toMatchObject({ initiator: "local" });
  });

  it("cancels the reconnect wait on close(): no timer is left behind", async () => {
    const server = await startServer();
    const before = timeouts();
    const client = await connect({
      url: server.url,
      contract: testContract,
      reconnect: { initialDelayMs: 60_000, jitter: 0 },
    });
    const disconnected = new Promise((resolve) => client.once("disconnect", resolve));
    await server.close();
    await disconnected;
    await client.close();
    await new Promise((r) => setImmediate(r));
    expect(timeouts()).toBeLessThanOrEqual(before);
    await expect(client.closed).resolves.toMatchObject({ initiator: "local", reason: "graceful" });
  });

  it("closes a reconnect attempt still waiting for its handshake, and reports no attempt after close()", async () => {
    const server = await startServer("tcp://127.0.0.1:0");
    const port = Number(new URL(server.url).port);
    const client = await connect({
      url: server.url,
      contract: testContract,
      handshakeTimeoutMs: 10_000,
      reconnect: { initialDelayMs: 10, jitter: 0 },
    });
    const events: string[] = [];
    client.on("reconnecting", () => events.push("reconnecting"));
    await server.close();
    // A silent listener on the same port: the attempt connects and then waits for a Hello.
    const sockets = new Set<Socket>();
    let attemptClosed!: () => void;
    const attemptGone = new Promise<void>((resolve) => {
      attemptClosed = resolve;
    });
    const silent = createServer((socket) => {
      sockets.add(socket);
      // Reads and drops the Hello: on Node 20 a paused socket holding unread bytes never sees
      // the client's reset, and its "close" would never come.
      socket.resume();
      socket.on("error", () => {});
      socket.on("close", () => attemptClosed());
    });
    await new Promise<void>((resolve) => silent.listen(port, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    while (sockets.size === 0) await new Promise((r) => setTimeout(r, 10));
    await client.close();
    await attemptGone;
    expect(events).toEqual([]);
  });

  it("rejects a call whose signal is already aborted with CANCELLED at once while reconnecting", async () => {
    const server = await startServer();
    const client = await connect({
      url: server.url,
      contract: testContract,
      reconnect: { initialDelayMs: 60_000 },
    });
    onTestFinished(() => client.close());
    const disconnected = new Promise((resolve) => client.once("disconnect", resolve));
    await server.close();
    await disconnected;
    await expect(
      client.call.echo("x", { signal: AbortSignal.abort(), timeoutMs: 10_000 }),
    ).rejects.toMatchObject({
      code: "CANCELLED",
      notExecuted: true,
    });
    const controller = new AbortController();
    const waiting = client.call.echo("x", { signal: controller.signal, timeoutMs: 10_000 });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: "CANCELLED", notExecuted: true });
  });

  it("says CLIENT_CLOSED, not NOT_CONNECTED, for a signal sent after close()", async () => {
    const server = await startServer();
    const client = await connect({ url: server.url, contract: testContract });
    await client.close();
    await expect(client.signal("note", "late")).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
  });

  it("refuses an invalid engine option before dialling: no socket is opened", async () => {
    let accepted = 0;
    const raw = createServer((socket) => {
      accepted++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    const { port } = raw.address() as { port: number };
    await expect(
      connect({ url: `tcp://127.0.0.1:${port}`, contract: testContract, requestTimeoutMs: -1 }),
    ).rejects.toMatchObject({
      code: "INVALID_OPTION",
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(accepted).toBe(0);
  });
});
