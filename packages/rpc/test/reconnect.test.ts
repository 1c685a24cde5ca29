import { getEventListeners } from "node:events";
import { startBlackhole } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

const fastReconnect = { initialDelayMs: 10, maxDelayMs: 50, jitter: 0 };

async function startServer(url: string, counter = { calls: 0 }) {
  const server = await serve({ url, contract: testContract, handlers: testHandlers(counter) });
  onTestFinished(() => server.close());
  return server;
}

/** Drops every live connection of a server abruptly (as a crash would), then closes the listener. */
async function crash(server: Awaited<ReturnType<typeof startServer>>) {
  for (const c of server.connections) c.peer.destroy();
  await server.close();
}

/** A server on a fresh Unix socket and a client that reconnects to it, closed after the test. */
async function serverAndClient() {
  const url = `unix://${tempSocketPath()}`;
  const counter = { calls: 0 };
  const server = await startServer(url, counter);
  const client = await connect({ url, contract: testContract, reconnect: fastReconnect });
  onTestFinished(() => client.close());
  return { url, counter, server, client };
}

describe("client reconnect", () => {
  it("reconnects after the server restarts and calls made meanwhile wait and succeed", async () => {
    const { url, server: first, client } = await serverAndClient();
    const events: string[] = [];
    client.on("disconnect", (_info, willReconnect) => events.push(`disconnect:${willReconnect}`));
    client.on("reconnect", () => events.push("reconnect"));
    const disconnected = new Promise((resolve) => client.once("disconnect", resolve));
    await first.close();
    await disconnected;
    expect(client.connected).toBe(false);
    const waiting = client.call.echo("after restart", { timeoutMs: 5_000 });
    await startServer(url);
    await expect(waiting).resolves.toBe("after restart");
    expect(events).toEqual(["disconnect:true", "reconnect"]);
  });

  it("fails calls at once with NOT_CONNECTED when waitForConnection is false", async () => {
    const url = `unix://${tempSocketPath()}`;
    const server = await startServer(url);
    const client = await connect({
      url,
      contract: testContract,
      reconnect: fastReconnect,
      waitForConnection: false,
    });
    onTestFinished(() => client.close());
    await server.close();
    await expect(client.call.echo("x")).rejects.toMatchObject({
      code: "NOT_CONNECTED",
      retryable: true,
    });
  });

  it("listens once to a signal that 100 waiting calls share, and cancels them all, unsent, on abort", async () => {
    const { server: first, client } = await serverAndClient();
    await crash(first);
    while (client.state !== "reconnecting") await new Promise((r) => setTimeout(r, 5));
    const controller = new AbortController();
    const calls = Array.from({ length: 100 }, (_, i) =>
      client.call.echo(`call ${i}`, { signal: controller.signal }).then(
        () => undefined,
        (error: { code: string; notExecuted: boolean }) => error,
      ),
    );
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort();
    const errors = await Promise.all(calls);
    expect(errors.map((e) => e && [e.code, e.notExecuted])).toEqual(
      Array(100).fill(["CANCELLED", true]),
    );
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("gives a waiting call DEADLINE_EXCEEDED, marked not executed, when no server comes back in time", async () => {
    const { server, client } = await serverAndClient();
    await server.close();
    await expect(client.call.echo("x", { timeoutMs: 100 })).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
      notExecuted: true,
    });
  });

  it("retries an idempotent call lost with the connection, once reconnected", async () => {
    const { url, counter, server: first, client } = await serverAndClient();
    const call = client.call.slowIdempotent({ ms: 100 }, { timeoutMs: 5_000 });
    while (counter.calls === 0) await new Promise((r) => setTimeout(r, 5));
    await crash(first);
    await startServer(url, counter);
    await expect(call).resolves.toBe(100);
    expect(counter.calls).toBe(2);
  });

  it("gives a retried call what is left of the deadline it started with, not a new one", async () => {
    const { url, counter, server: first, client } = await serverAndClient();
    const started = performance.now();
    const call = client.call.slowIdempotent({ ms: 10_000 }, { timeoutMs: 600 });
    const outcome = expect(call).rejects.toMatchObject({ code: "DEADLINE_EXCEEDED" });
    while (counter.calls === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 300));
    await crash(first);
    await startServer(url, counter);
    await outcome;
    // Retried on the new server (it ran twice), and over at 600 ms: a fresh budget would end at 900.
    expect(counter.calls).toBe(2);
    expect(performance.now() - started).toBeLessThan(850);
  });

  it("fails a non-idempotent call lost with the connection with CONNECTION_LOST, not retried", async () => {
    const { url, counter, server: first, client } = await serverAndClient();
    const call = client.call.slow({ ms: 100 }, { timeoutMs: 5_000 });
    const outcome = expect(call).rejects.toMatchObject({ code: "CONNECTION_LOST" });
    while (counter.calls === 0) await new Promise((r) => setTimeout(r, 5));
    await crash(first);
    await startServer(url, counter);
    await outcome;
    expect(counter.calls).toBe(1);
  });

  it("closes with RECONNECT_FAILED after maxAttempts and rejects waiting calls with CLIENT_CLOSED", async () => {
    const url = `unix://${tempSocketPath()}`;
    const server = await startServer(url);
    const client = await connect({
      url,
      contract: testContract,
      reconnect: { ...fastReconnect, maxAttempts: 2 },
    });
    const failures: number[] = [];
    client.on("reconnecting", (attempt) => failures.push(attempt));
    await server.close();
    const waiting = client.call.echo("x", { timeoutMs: 5_000 });
    const info = await client.closed;
    expect(info.error).toMatchObject({
      code: "RECONNECT_FAILED",
      cause: { code: expect.stringMatching(/^CONNECT_/) },
    });
    // One event per failed attempt that is followed by another; the last one ends in RECONNECT_FAILED.
    expect(failures).toEqual([1]);
    await expect(waiting).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
  });

  it("does not reconnect after the client itself closes", async () => {
    const url = `unix://${tempSocketPath()}`;
    await startServer(url);
    const client = await connect({ url, contract: testContract, reconnect: fastReconnect });
    let reconnects = 0;
    client.on("reconnect", () => reconnects++);
    await client.close();
    await new Promise((r) => setTimeout(r, 60));
    expect(reconnects).toBe(0);
    await expect(client.call.echo("x")).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
  });

  it("close() and destroy() abort a reconnect whose connect gets no answer, at once", async () => {
    for (const end of ["close", "destroy"] as const) {
      const server = await serve({
        url: "tcp://127.0.0.1:0",
        contract: testContract,
        handlers: testHandlers(),
      });
      const port = Number(new URL(server.url).port);
      const client = await connect({
        url: server.url,
        contract: testContract,
        reconnect: fastReconnect,
        connectTimeoutMs: 10_000,
      });
      server.destroy();
      await server.closed;
      // The port now drops every SYN: the next dial waits for its 10 s connect timeout.
      const blackhole = await startBlackhole(port);
      onTestFinished(() => blackhole.close());
      await new Promise((resolve) => setTimeout(resolve, 200)); // past the backoff: dialling
      expect(client.state).toBe("reconnecting");
      const started = performance.now();
      if (end === "close") await client.close();
      else client.destroy();
      await client.closed;
      // Before, closed waited for the connect timeout (10 s).
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(client.state).toBe("closed");
      blackhole.close();
    }
  });

  it("reports a lost idempotent call as lost, not as never sent, when the wait for its retry fails", async () => {
    for (const waitForConnection of [true, false]) {
      const url = `unix://${tempSocketPath()}`;
      const counter = { calls: 0 };
      const server = await startServer(url, counter);
      const client = await connect({
        url,
        contract: testContract,
        reconnect: fastReconnect,
        waitForConnection,
      });
      onTestFinished(() => client.close());
      const call = client.call.slowIdempotent({ ms: 300 }, { timeoutMs: 600 });
      while (counter.calls === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      server.destroy(); // the handler has run, or is running: its fate is unknown
      // No server comes back: the wait for the retry ends at the deadline (or at once).
      await expect(call).rejects.toMatchObject({ code: "CONNECTION_LOST", notExecuted: false });
    }
  });
});
