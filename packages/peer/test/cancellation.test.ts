import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import type { HandlerContext } from "../src/index.js";
import { Kind } from "../src/wire-constants.js";
import { codeOf, Latch, rejection, until } from "./support/async.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";

describe("cancellation", () => {
  it("rejects at once with CANCELLED, sends Cancel, and aborts the remote handler's signal", async () => {
    const started = new Latch<AbortSignal>();
    const { client, server } = peerPair(
      {
        handlers: {
          work: (_: unknown, ctx: HandlerContext) => {
            started.open(ctx.signal);
            return new Promise(() => {});
          },
        },
      },
      {},
    );
    const controller = new AbortController();
    const call = rejection(client.request("work", null, { signal: controller.signal }));
    const signal = await started.promise;
    controller.abort(new Error("user left"));
    const error = await call;
    expect(error).toMatchObject({ code: "CANCELLED", notExecuted: false });
    expect((error.cause as Error).message).toBe("user left");
    await until(() => signal.aborted);
    expect(codeOf(signal.reason)).toBe("CANCELLED");
    expect(client.stats.cancelsSent).toBe(1);
    expect(server.stats.cancelsReceived).toBe(1);
  });

  it("listens once to a signal 100 calls share, cancels all of them on abort, and lets go of it", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const { client, server } = peerPair({ handlers: { work: () => new Promise(() => {}) } }, {});
      await client.ready;
      const controller = new AbortController();
      const calls = Array.from({ length: 100 }, () =>
        rejection(client.request("work", null, { signal: controller.signal })),
      );
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
      await until(() => server.stats.requestsReceived === 100);
      controller.abort(new Error("shutting down"));
      const errors = await Promise.all(calls);
      expect(errors.map((e) => e.code)).toEqual(Array(100).fill("CANCELLED"));
      expect(client.stats.cancelsSent).toBe(100);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      // Settled calls let go of a signal that never aborts, too.
      const idle = new AbortController();
      const { client: quick } = peerPair({ handlers: { work: () => 1 } }, {});
      await Promise.all(
        Array.from({ length: 20 }, () => quick.request("work", null, { signal: idle.signal })),
      );
      expect(getEventListeners(idle.signal, "abort")).toHaveLength(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("never writes a queued call whose shared signal aborted while an earlier call heard it", async () => {
    let started = 0;
    const { client, server } = peerPair(
      {
        handlers: {
          work: () => {
            started++;
            return new Promise(() => {});
          },
        },
      },
      { maxPendingCalls: 1 },
    );
    await client.ready;
    const controller = new AbortController();
    const calls = [0, 1, 2].map(() =>
      rejection(client.request("work", null, { signal: controller.signal })),
    );
    await until(() => server.stats.requestsReceived === 1);
    // The first call hears the abort first and frees its slot; the two queued behind it share the
    // signal and have not heard it yet when the queue moves.
    controller.abort();
    const errors = await Promise.all(calls);
    expect(errors.map((e) => [e.code, (e as { notExecuted?: boolean }).notExecuted])).toEqual([
      ["CANCELLED", false],
      ["CANCELLED", true],
      ["CANCELLED", true],
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.stats.requestsSent).toBe(1);
    expect(client.stats.cancelsSent).toBe(1);
    expect(started).toBe(1);
  });

  it("rejects a call whose signal is already aborted without sending anything", async () => {
    const { client } = peerPair({ handlers: { work: () => 1 } }, {});
    await client.ready;
    const error = await rejection(client.request("work", null, { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ code: "CANCELLED", notExecuted: true });
    expect(client.stats.requestsSent).toBe(0);
  });

  it("cancels a call still queued locally without a Cancel frame, marked not executed", async () => {
    const { client } = peerPair({ handlers: { work: () => new Promise(() => {}) } }, {});
    const controller = new AbortController();
    const call = rejection(client.request("work", null, { signal: controller.signal }));
    controller.abort(); // still waiting for the handshake
    expect(await call).toMatchObject({ code: "CANCELLED", notExecuted: true });
    await client.ready;
    expect(client.stats.requestsSent).toBe(0);
    expect(client.stats.cancelsSent).toBe(0);
  });

  it("keeps a handler's slot until the handler really returns, even after Cancel (rapid reset)", async () => {
    const release = new Latch();
    let running = 0;
    const stubborn = async () => {
      running++;
      await release.promise; // ignores its abort signal on purpose
      running--;
      return "done";
    };
    const { client, server } = peerPair(
      { handlers: { stubborn }, maxConcurrentHandlers: 1, maxQueuedRequests: 0 },
      {},
    );
    const controller = new AbortController();
    const cancelled = rejection(client.request("stubborn", null, { signal: controller.signal }));
    await until(() => running === 1);
    controller.abort();
    expect((await cancelled).code).toBe("CANCELLED");
    await until(() => server.stats.cancelsReceived === 1);
    // The cancelled handler still runs, so its slot is still taken: the next call is refused.
    const refused = await rejection(client.request("stubborn", null));
    expect(refused).toMatchObject({ code: "OVERLOADED", retryable: true, notExecuted: true });
    expect(running).toBe(1);
    expect(server.stats.handlersRunning).toBe(1);
    release.open();
    await until(() => server.stats.handlersRunning === 0);
    await expect(client.request("stubborn", null)).resolves.toBe("done");
  });

  it("skips a queued handler whose call was cancelled before it started", async () => {
    const gate = new Latch();
    let started = 0;
    const { client, server } = peerPair(
      {
        handlers: {
          first: () => gate.promise.then(() => "first"),
          second: () => {
            started++;
            return "second";
          },
        },
        maxConcurrentHandlers: 1,
      },
      {},
    );
    const first = client.request("first", null);
    const controller = new AbortController();
    const second = rejection(client.request("second", null, { signal: controller.signal }));
    await until(() => server.stats.requestsReceived === 2);
    controller.abort();
    await until(() => server.stats.cancelsReceived === 1);
    gate.open();
    await first;
    expect((await second).code).toBe("CANCELLED");
    await until(() => server.stats.handlersQueued === 0 && server.stats.handlersRunning === 0);
    expect(started).toBe(0);
  });

  it("ignores a Cancel for an id it does not know", async () => {
    const { peer, remote } = peerWithRawRemote({ handlers: { ping: () => "pong" } });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    raw.send({ kind: Kind.Cancel, id: 77 });
    raw.send({
      kind: Kind.Request,
      id: 1,
      timeoutMs: 1_000,
      method: "ping",
      metadata: undefined,
      body: undefined,
    });
    expect(await raw.next(Kind.Response)).toMatchObject({ id: 1, body: "pong" });
    expect(peer.state).toBe("open");
  });
});
