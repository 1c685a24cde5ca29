import { describe, expect, it, vi } from "vitest";
import type { HandlerContext } from "../src/index.js";
import type { DeadlineTimer } from "../src/pending-call.js";
import { Kind, ResponseStatus } from "../src/wire-constants.js";
import type { RequestMessage } from "../src/wire-messages.js";
import { codeOf, Latch, rejection, until } from "./support/async.js";
import { holder, notes, relay } from "./support/contracts.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";
import { collectWarnings, countEngineClockReads, countTimerRuns } from "./support/timer-runs.js";

describe("deadlines", () => {
  it("rejects a call with DEADLINE_EXCEEDED when timeoutMs passes, and aborts the handler", async () => {
    let handlerSignal: AbortSignal | undefined;
    const hold = (_: { key: string }, ctx: HandlerContext) => {
      handlerSignal = ctx.signal;
      return new Promise<{ key: string }>(() => {});
    };
    const { client, server } = peerPair({ serves: holder, handlers: { hold } }, { calls: holder });
    await client.ready; // so that the call is sent, not still waiting for the handshake
    const error = await rejection(client.call.hold({ key: "k" }, { timeoutMs: 20 }));
    expect(error).toMatchObject({
      code: "DEADLINE_EXCEEDED",
      notExecuted: false,
      retryable: false,
    });
    expect(error.message).toContain("within 20 ms");
    await until(() => handlerSignal?.aborted === true);
    expect(["CANCELLED", "DEADLINE_EXCEEDED"]).toContain(codeOf(handlerSignal!.reason));
    expect(client.stats.cancelsSent).toBe(1);
    await until(() => server.stats.cancelsReceived === 1);
  });

  it("gives every call the peer's requestTimeoutMs when it sets none", async () => {
    const { client } = peerPair(
      { handlers: { never: () => new Promise(() => {}) } },
      { requestTimeoutMs: 15 },
    );
    const error = await rejection(client.request("never", null));
    expect(error.code).toBe("DEADLINE_EXCEEDED");
    expect(error.message).toContain("requestTimeoutMs");
  });

  it("carries the remaining budget on the wire, never more than the call's timeout", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.handshake();
    void peer.request("m", 1, { timeoutMs: 5_000 }).catch(() => {});
    const request = (await raw.next(Kind.Request)) as RequestMessage;
    expect(request.timeoutMs).toBeGreaterThan(0);
    expect(request.timeoutMs).toBeLessThanOrEqual(5_000);
  });

  it("sends exactly the call's timeout when it goes out at once, whatever the clock's fraction", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    // At this reading (26.1534567 + 1000) - 26.1534567 is 1000.0000000000001 in floating point.
    const clock = vi.spyOn(performance, "now").mockReturnValue(26.1534567);
    void peer.request("m", 1, { timeoutMs: 1_000 }).catch(() => {});
    clock.mockRestore();
    const request = (await raw.next(Kind.Request)) as RequestMessage;
    expect(request.timeoutMs).toBe(1_000);
  });

  it("counts a call's timeout from when it is made, not from an earlier call of the same write", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    // Two calls first: the first schedules the write, the second is made while it is due.
    void peer.request("m", 1).catch(() => {});
    void peer.request("m", 2).catch(() => {});
    const busyUntil = performance.now() + 60; // the caller's own synchronous work, in the same turn
    while (performance.now() < busyUntil) {}
    const madeAt = performance.now();
    const error = await rejection(peer.request("m", 3, { timeoutMs: 40 }));
    expect(error.code).toBe("DEADLINE_EXCEEDED");
    expect(performance.now() - madeAt).toBeGreaterThanOrEqual(39);
  });

  it("reads no clock for a handler that answers synchronously; an async one counts from receipt on", async () => {
    let remaining = -1;
    const handlers = {
      now: () => "at once",
      later: async (_: unknown, ctx: HandlerContext) => {
        await null;
        remaining = ctx.remainingMs();
        return "later";
      },
    };
    const { peer, remote } = peerWithRawRemote({ side: "server", handlers });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    const request = { kind: Kind.Request, metadata: undefined, bodyError: undefined };
    const reads = countEngineClockReads();
    raw.send({ ...request, id: 1, timeoutMs: 2_000, method: "now", body: null });
    expect(await raw.next(Kind.Response)).toMatchObject({ id: 1, body: "at once" });
    expect(reads.count()).toBe(0);
    const sent = reads.real();
    raw.send({ ...request, id: 2, timeoutMs: 2_000, method: "later", body: null });
    expect(await raw.next(Kind.Response)).toMatchObject({ id: 2, body: "later" });
    expect(reads.count()).toBeGreaterThan(0);
    // Read no earlier than the Request was sent, and no later than the handler's answer.
    expect(remaining).toBeLessThanOrEqual(2_000);
    expect(remaining).toBeGreaterThanOrEqual(2_000 - (reads.real() - sent));
  });

  it("reads the clock once for the requests of one chunk whose handlers await", async () => {
    const handlers = {
      later: async () => {
        await null;
        return "later";
      },
    };
    const { peer, remote } = peerWithRawRemote({ side: "server", handlers });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    const request = { kind: Kind.Request, metadata: undefined, bodyError: undefined } as const;
    const later = (id: number) => ({ ...request, id, timeoutMs: 2_000, method: "later", body: 1 });
    const reads = countEngineClockReads();
    raw.send(later(1));
    await raw.next(Kind.Response);
    const one = reads.count(); // the batch's reading, and the timer armed for its deadline
    reads.reset();
    raw.send(later(2), later(3), later(4)); // one write: one chunk
    for (let i = 0; i < 3; i++) await raw.next(Kind.Response);
    expect(one).toBeGreaterThan(0);
    expect(reads.count()).toBeLessThanOrEqual(one);
  });

  it("shows the handler its deadline, remaining budget and an unaborted signal", async () => {
    let seen: { remaining: number; deadline: number; aborted: boolean } | undefined;
    const probe = (_: unknown, ctx: HandlerContext) => {
      seen = { remaining: ctx.remainingMs(), deadline: ctx.deadline, aborted: ctx.signal.aborted };
      return null;
    };
    const { client } = peerPair({ handlers: { probe } }, {});
    const before = Date.now();
    await client.request("probe", null, { timeoutMs: 3_000 });
    expect(seen!.remaining).toBeGreaterThan(0);
    expect(seen!.remaining).toBeLessThanOrEqual(3_000);
    expect(seen!.deadline).toBeGreaterThan(before);
    expect(seen!.deadline).toBeLessThanOrEqual(Date.now() + 3_000);
    expect(seen!.aborted).toBe(false);
  });

  it("makes nested calls from a handler inherit the remaining deadline", async () => {
    let innerRemaining = Number.POSITIVE_INFINITY;
    const { client } = peerPair(
      {
        serves: relay,
        calls: notes,
        handlers: {
          echo: async (_: unknown, ctx) => ctx.peer.call.remaining({}, { timeoutMs: 60_000 }),
        },
      },
      {
        serves: notes,
        calls: relay,
        handlers: {
          remaining: (_: object, ctx) => {
            innerRemaining = ctx.remainingMs();
            return { ms: innerRemaining };
          },
          note: () => ({ ok: true }),
        },
      },
    );
    const result = await client.call.echo(null, { timeoutMs: 500 });
    expect(result).toEqual({ ms: innerRemaining });
    expect(innerRemaining).toBeGreaterThan(0);
    expect(innerRemaining).toBeLessThanOrEqual(500);
  });

  it("cancels nested calls when the outer call is cancelled", async () => {
    let innerSignal: AbortSignal | undefined;
    const started = new Latch();
    const { client } = peerPair(
      {
        serves: relay,
        calls: notes,
        handlers: { echo: (_: unknown, ctx) => ctx.peer.call.note({ text: "x" }) },
      },
      {
        serves: notes,
        calls: relay,
        handlers: {
          remaining: () => ({ ms: 0 }),
          note: (_: { text: string }, ctx) => {
            innerSignal = ctx.signal;
            started.open();
            return new Promise<{ ok: boolean }>(() => {});
          },
        },
      },
    );
    const controller = new AbortController();
    const outer = rejection(client.call.echo(null, { signal: controller.signal }));
    await started.promise;
    controller.abort();
    expect((await outer).code).toBe("CANCELLED");
    await until(() => innerSignal?.aborted === true);
  });

  it("fails a call still queued locally when its deadline passes, marked not executed", async () => {
    const { client } = peerPair(
      { handlers: { slow: () => new Promise((r) => setTimeout(r, 50)) } },
      { maxPendingCalls: 1 },
    );
    const first = client.request("slow", null);
    const queued = rejection(client.request("slow", null, { timeoutMs: 10 }));
    const error = await queued;
    expect(error).toMatchObject({ code: "DEADLINE_EXCEEDED", notExecuted: true });
    expect(error.message).toContain("never sent");
    await first;
  });

  it("sends no Response once the handler's own deadline has passed", async () => {
    const { peer, remote } = peerWithRawRemote({
      handlers: {
        slow: (_: unknown, ctx: HandlerContext) =>
          new Promise((r) => ctx.signal.addEventListener("abort", () => r("late"))),
      },
    });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    raw.send({
      kind: Kind.Request,
      id: 1,
      timeoutMs: 10,
      method: "slow",
      metadata: undefined,
      body: undefined,
    });
    await until(() => peer.stats.handlersRunning === 0 && peer.stats.requestsReceived === 1);
    raw.send({
      kind: Kind.Request,
      id: 2,
      timeoutMs: 1_000,
      method: "nope",
      metadata: undefined,
      body: undefined,
    });
    const response = (await raw.next(Kind.Response)) as { id: number; status: number };
    expect(response).toMatchObject({ id: 2, status: ResponseStatus.Rejected });
    expect(peer.stats.responsesSent).toBe(1);
  });

  it("appends the call site to a DEADLINE_EXCEEDED stack when captureCallSites is on", async () => {
    const { client } = peerPair(
      { handlers: { never: () => new Promise(() => {}) } },
      { captureCallSites: true },
    );
    const error = await rejection(client.request("never", null, { timeoutMs: 10 }));
    expect(error.stack).toContain("call started at");
    expect(error.stack).toContain("deadlines.test.ts");
  });

  it("holds a remote call whose timeoutMs exceeds setTimeout's range without spinning its timer", async () => {
    const warnings = collectWarnings("TimeoutOverflowWarning");
    const started = new Latch();
    const { peer, remote } = peerWithRawRemote({
      handlers: {
        wait: () => {
          started.open();
          return new Promise(() => {});
        },
      },
    });
    const runs = countTimerRuns((peer as unknown as { timers: DeadlineTimer }).timers);
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    const request: RequestMessage = {
      kind: Kind.Request,
      id: 1,
      timeoutMs: 2 ** 32 - 1, // the largest u32 budget: about 49.7 days
      method: "wait",
      metadata: undefined,
      body: null,
    };
    raw.send(request);
    await started.promise;
    const before = runs();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(warnings).toEqual([]);
    expect(runs() - before).toBe(0);
    expect(peer.stats.handlersRunning).toBe(1);
  });
});
