import { describe, expect, it } from "vitest";
import { Kind, ResponseStatus } from "../src/wire-constants.js";
import type { ResponseMessage } from "../src/wire-messages.js";
import { codeOf, Latch, rejection, until } from "./support/async.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";

const request = (id: number, method = "work") =>
  ({ kind: Kind.Request, id, timeoutMs: 5_000, method, metadata: undefined, body: null }) as const;

describe("backpressure and limits", () => {
  it("answers OVERLOADED, retryable and not executed, beyond running + queued handlers", async () => {
    const gate = new Latch();
    const { peer, remote } = peerWithRawRemote({
      handlers: { work: () => gate.promise.then(() => "ok") },
      maxConcurrentHandlers: 2,
      maxQueuedRequests: 1,
    });
    const raw = new RawEnd(remote);
    raw.handshake(); // a remote that ignores the advertised maxConcurrentRequests (3)
    await peer.ready;
    raw.send(request(1), request(2), request(3), request(4), request(5));
    const rejected = (await raw.next(Kind.Response)) as ResponseMessage;
    expect(rejected).toMatchObject({
      id: 4,
      status: ResponseStatus.Rejected,
      body: { code: "OVERLOADED" },
    });
    expect(((await raw.next(Kind.Response)) as ResponseMessage).id).toBe(5);
    expect(peer.stats.handlersRunning).toBe(2);
    expect(peer.stats.handlersQueued).toBe(1);
    gate.open();
    const done = [
      await raw.next(Kind.Response),
      await raw.next(Kind.Response),
      await raw.next(Kind.Response),
    ];
    expect(done.map((m) => (m as ResponseMessage).status)).toEqual([0, 0, 0]);
  });

  it("keeps a well-behaved caller within the remote's advertised limit, so nothing is OVERLOADED", async () => {
    let running = 0;
    let peak = 0;
    const work = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      return "ok";
    };
    const { client } = peerPair(
      { handlers: { work }, maxConcurrentHandlers: 2, maxQueuedRequests: 1 },
      {},
    );
    const results = await Promise.all(
      Array.from({ length: 30 }, () => client.request("work", null)),
    );
    expect(results.every((r) => r === "ok")).toBe(true);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it("holds calls beyond maxPendingCalls locally and sends them as answers come back", async () => {
    const gate = new Latch();
    const { client, server } = peerPair(
      { handlers: { work: () => gate.promise.then(() => 1) } },
      { maxPendingCalls: 3 },
    );
    const calls = Array.from({ length: 10 }, () => client.request("work", null));
    await until(() => server.stats.requestsReceived === 3);
    expect(client.stats.callsInFlight).toBe(3);
    expect(client.stats.callsWaiting).toBe(7);
    gate.open();
    await expect(Promise.all(calls)).resolves.toHaveLength(10);
    expect(server.stats.requestsReceived).toBe(10);
  });

  it("makes request() and signal() wait instead of buffering while the remote is not reading", async () => {
    const { client, server, serverConnection, clientConnection } = peerPair(
      { handlers: { echo: (v: unknown) => v } },
      { maxBufferedBytes: 16_384 },
      { highWaterMarkBytes: 16_384 },
    );
    await Promise.all([client.ready, server.ready]);
    serverConnection.pause();
    const payload = "x".repeat(4_000);
    const calls = Array.from({ length: 40 }, () => client.request("echo", payload));
    const signal = client.signal("noop", payload);
    await until(() => client.stats.callsWaiting > 0);
    // Bounded: at most one turn of frames beyond the high-water mark, not all 160 KB.
    expect(clientConnection.bufferedBytes).toBeLessThan(16_384 + 16_384 + 8_192);
    serverConnection.resume();
    await expect(Promise.all(calls)).resolves.toHaveLength(40);
    await expect(signal).resolves.toBeUndefined();
  });

  it("closes the connection with SLOW_CONSUMER when the remote stops reading for too long", async () => {
    const { client, serverConnection } = peerPair(
      { handlers: { echo: (v: unknown) => v } },
      { slowConsumerTimeoutMs: 30 },
      { highWaterMarkBytes: 1_024 },
    );
    await client.ready;
    serverConnection.pause();
    const call = rejection(client.request("echo", "x".repeat(4_000)));
    const info = await client.closed;
    expect(info).toMatchObject({ initiator: "local", reason: "error" });
    expect(codeOf(info.error)).toBe("SLOW_CONSUMER");
    expect((await call).code).toBe("CONNECTION_LOST");
  });
});

describe("local call queue", () => {
  it("starts no new handler while the remote leaves 32 times maxBufferedBytes unread", async () => {
    const answer = "x".repeat(64 * 1024);
    let started = 0;
    const { peer, connection, remote } = peerWithRawRemote({
      handlers: {
        get: () => {
          started++;
          return answer;
        },
      },
      maxConcurrentHandlers: 4,
      maxQueuedRequests: 16,
      maxBufferedBytes: 64 * 1024, // the gate at 2 MiB
    });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    connection.stopDelivery({ direction: "outbound" }); // the remote reads nothing more
    let id = 1;
    for (let round = 0; round < 20; round++) {
      raw.send(...Array.from({ length: 100 }, () => request(id++, "get")));
      await new Promise((resolve) => setImmediate(resolve));
    }
    // 2,000 requests for 64 KiB each: 125 MiB had every handler run. At most the gate's 2 MiB and
    // one round of handlers' answers is held; the rest wait, then are refused.
    expect(connection.bufferedBytes).toBeLessThan(4 * 1_048_576);
    expect(started).toBeLessThan(80);
    expect(peer.stats.requestsRejected).toBeGreaterThan(1_850);
    // None runs while held, so the whole admission (4 running + 16 queued) waits in the queue.
    expect(peer.stats.handlersQueued).toBe(20);
    // Once the remote reads again, the queued handlers run and are answered.
    connection.resumeDelivery({ direction: "outbound" });
    await until(() => peer.stats.handlersQueued === 0 && peer.stats.handlersRunning === 0);
    expect(started).toBeGreaterThanOrEqual(20);
  });

  it("lets handlers held for an unread remote go when the connection fails", async () => {
    const { peer, connection, remote } = peerWithRawRemote({
      handlers: { get: () => "x".repeat(64 * 1024) },
      maxBufferedBytes: 64 * 1024,
    });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    connection.stopDelivery({ direction: "outbound" });
    let id = 1;
    for (let round = 0; round < 10; round++) {
      raw.send(...Array.from({ length: 50 }, () => request(id++, "get")));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(peer.stats.handlersQueued).toBeGreaterThan(0);
    peer.destroy();
    await peer.closed;
    // Each held handler went through the queue and found its call over: none is left behind.
    await until(() => peer.stats.handlersQueued === 0);
  });

  it("sends new calls once a queued call ahead of them was cancelled", async () => {
    const gate = new Latch();
    const { client, server } = peerPair(
      { handlers: { work: () => gate.promise.then(() => 1), quick: () => 2 } },
      { maxPendingCalls: 1 },
    );
    const first = client.request("work", null);
    const controller = new AbortController();
    const queued = rejection(client.request("work", null, { signal: controller.signal }));
    await until(() => server.stats.requestsReceived === 1);
    controller.abort(); // settled, but still in the local queue
    expect((await queued).code).toBe("CANCELLED");
    gate.open();
    await first;
    await expect(client.request("quick", null)).resolves.toBe(2);
  });
});
