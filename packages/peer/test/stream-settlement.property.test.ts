/**
 * Streams under faults, as settlement.property.test.ts does for unary calls: random server,
 * client and bidirectional stream calls (producers that fail, return early, run forever or ignore
 * their signals; callers that break out, read slowly, never read, cancel or run out of time) meet
 * a random fault at a random moment. Whatever happens:
 * - every call's `result` and its item loop settle, with an allowed outcome;
 * - a call reported "not executed" never reached its handler;
 * - every handler that started and every caller's inputs that started reach their `finally`;
 * - both peers end closed with no stream open, no item buffered and nothing in flight.
 */
import { defineContract, ServiceError } from "@parley/codec";
import { createMemoryPair } from "@parley/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createPeer, type Peer } from "../src/index.js";
import { until } from "./support/async.js";
import { ALLOWED_CODES, injectFault, linkAndFault } from "./support/faults.js";

const job = z.object({
  id: z.number(),
  count: z.number(),
  failAt: z.number(),
  delayMs: z.number(),
});

const streams = defineContract({
  name: "streams-under-faults",
  version: 1,
  requests: {
    /** Server stream: `count` items (-1: until told to stop), failing at item `failAt` (-1: never). */
    produce: { input: job, yields: z.number(), output: z.number(), timeoutMs: 5_000 },
    /** Client stream: sums the caller's items, answering early after `count` of them (-1: never). */
    consume: { input: job, accepts: z.number(), output: z.number(), timeoutMs: 5_000 },
    /** Bidirectional: doubles each of the caller's items. */
    relay: {
      input: job,
      yields: z.number(),
      accepts: z.number(),
      output: z.number(),
      timeoutMs: 5_000,
    },
  },
});

type Method = "produce" | "consume" | "relay";
type Reader = "all" | "break" | "slow" | "result-only";

const callPlan = fc.record({
  method: fc.constantFrom<Method>("produce", "consume", "relay"),
  startMs: fc.integer({ min: 0, max: 20 }),
  count: fc.integer({ min: -1, max: 40 }),
  failAt: fc.integer({ min: -1, max: 20 }),
  delayMs: fc.constantFrom(0, 0, 1, 3),
  ignoreSignals: fc.boolean(),
  reader: fc.constantFrom<Reader>("all", "break", "slow", "result-only"),
  breakAfter: fc.integer({ min: 0, max: 10 }),
  inputs: fc.integer({ min: -1, max: 30 }),
  inputsFailAt: fc.integer({ min: -1, max: 10 }),
  timeoutMs: fc.integer({ min: 5, max: 120 }),
  abortAfterMs: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
});
type CallPlan = typeof callPlan extends fc.Arbitrary<infer T> ? T : never;

const plan = fc.record({
  calls: fc.array(callPlan, { minLength: 1, maxLength: 12 }),
  ...linkAndFault(40),
  windowItems: fc.integer({ min: 1, max: 8 }),
  maxConcurrentStreams: fc.integer({ min: 1, max: 6 }),
  maxConcurrentHandlers: fc.integer({ min: 1, max: 6 }),
});
type Plan = typeof plan extends fc.Arbitrary<infer T> ? T : never;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the scenario's producers and consumers did, by call id. */
class Ledger {
  readonly handlersStarted = new Set<number>();
  readonly handlersEnded = new Set<number>();
  readonly inputsStarted = new Set<number>();
  readonly inputsEnded = new Set<number>();
}

interface Outcome {
  id: number;
  error?: Error & { code?: string; notExecuted?: boolean };
}

function handlers(ledger: Ledger, plans: readonly CallPlan[]) {
  /** Runs `body` as handler `id`, noting that it started and that it reached its `finally`. */
  const tracked = async function* <T>(id: number, body: AsyncGenerator<number, T>) {
    ledger.handlersStarted.add(id);
    try {
      return yield* body;
    } finally {
      ledger.handlersEnded.add(id);
    }
  };
  const pause = async (p: { delayMs: number }, signal: AbortSignal, ignore: boolean) => {
    if (p.delayMs === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, p.delayMs);
      if (!ignore) signal.addEventListener("abort", done);
    });
  };
  return {
    produce: (input: z.infer<typeof job>, ctx: { signal: AbortSignal; draining: AbortSignal }) =>
      tracked(
        input.id,
        (async function* () {
          const ignore = plans[input.id]!.ignoreSignals;
          for (let i = 0; input.count < 0 || i < input.count; i++) {
            if (!ignore && (ctx.signal.aborted || ctx.draining.aborted)) return i;
            if (i === input.failAt) throw new ServiceError("HANDLER_FAILED", "planned failure");
            yield i;
            await pause(input, ctx.signal, ignore);
          }
          return input.count;
        })(),
      ),
    async consume(input: z.infer<typeof job>, ctx: { inputs: AsyncIterable<number> }) {
      ledger.handlersStarted.add(input.id);
      try {
        let sum = 0;
        let seen = 0;
        for await (const n of ctx.inputs) {
          if (seen === input.failAt) throw new ServiceError("HANDLER_FAILED", "planned failure");
          sum += n;
          if (++seen === input.count) return sum; // answers before the inputs end
        }
        return sum;
      } finally {
        ledger.handlersEnded.add(input.id);
      }
    },
    relay: (
      input: z.infer<typeof job>,
      ctx: { inputs: AsyncIterable<number>; signal: AbortSignal },
    ) =>
      tracked(
        input.id,
        (async function* () {
          let seen = 0;
          for await (const n of ctx.inputs) {
            if (seen++ === input.failAt)
              throw new ServiceError("HANDLER_FAILED", "planned failure");
            yield n * 2;
            await pause(input, ctx.signal, plans[input.id]!.ignoreSignals);
          }
          return seen;
        })(),
      ),
  };
}

/** What a caller's inputs throw when their plan says so: the call fails with it. */
class PlannedInputsFailure extends Error {}

/**
 * The caller's items for call `id`: `count` of them (-1: until closed), throwing before item
 * `failAt` (-1: never), noted as they start and end.
 */
async function* inputsOf(ledger: Ledger, id: number, c: CallPlan) {
  ledger.inputsStarted.add(id);
  try {
    for (let i = 0; c.inputs < 0 || i < c.inputs; i++) {
      if (i === c.inputsFailAt) throw new PlannedInputsFailure("planned inputs failure");
      yield i;
      if (c.delayMs > 0 || c.inputs < 0) await sleep(Math.max(c.delayMs, 1));
    }
  } finally {
    ledger.inputsEnded.add(id);
  }
}

/** Makes call `id` as its plan says and reads it as its plan says; resolves with its outcome. */
async function makeCall(
  client: Peer<undefined, typeof streams>,
  ledger: Ledger,
  id: number,
  c: CallPlan,
) {
  const controller = c.abortAfterMs === undefined ? undefined : new AbortController();
  if (controller) setTimeout(() => controller.abort(), c.abortAfterMs);
  const input = { id, count: c.count, failAt: c.failAt, delayMs: c.delayMs };
  const options = { timeoutMs: c.timeoutMs, ...(controller ? { signal: controller.signal } : {}) };
  const withInputs = () => ({ ...options, inputs: inputsOf(ledger, id, c) });
  const outcome = (settled: Promise<unknown>): Promise<Outcome> =>
    settled.then(
      () => ({ id }),
      (error) => ({ id, error }),
    );
  if (c.method === "consume") return outcome(client.call.consume(input, withInputs()));
  const stream =
    c.method === "produce"
      ? client.stream.produce(input, options)
      : client.stream.relay(input, withInputs());
  const result = outcome(stream.result);
  if (c.reader !== "result-only") {
    let read = 0;
    try {
      for await (const _ of stream) {
        if (c.reader === "break" && ++read > c.breakAfter) break;
        if (c.reader === "slow") await sleep(2);
      }
    } catch {
      // The loop throws what `result` rejects with; `result` is what is checked.
    }
  }
  return result;
}

async function runScenario(p: Plan): Promise<void> {
  const ledger = new Ledger();
  const [a, b] = createMemoryPair({ latencyMs: p.latencyMs, chunkBytes: p.chunkBytes });
  const common = {
    closeTimeoutMs: 40,
    // A link blackholed before the handshake ends is caught by this, not the heartbeat.
    handshakeTimeoutMs: 200,
    heartbeatIntervalMs: 5,
    heartbeatTimeoutMs: 15,
    streamWindowItems: p.windowItems,
  };
  const server = createPeer(b, {
    side: "server",
    serves: streams,
    handlers: handlers(ledger, p.calls),
    maxConcurrentStreams: p.maxConcurrentStreams,
    maxConcurrentHandlers: p.maxConcurrentHandlers,
    ...common,
  } as never) as Peer;
  const client = createPeer(a, { calls: streams, ...common }) as Peer<undefined, typeof streams>;

  const outcomes = p.calls.map(async (c, id) => {
    await sleep(c.startMs);
    return makeCall(client, ledger, id, c);
  });
  await sleep(p.faultAtMs);
  injectFault(p.fault, client, server, a, b);
  // Every call has a deadline, so even a stream planned to run forever ends without a fault.
  const results = await Promise.all(outcomes);
  if (p.fault === "none") await Promise.all([client.close(), server.close()]);
  await Promise.all([client.closed, server.closed]);

  for (const r of results) {
    if (r.error === undefined || r.error instanceof PlannedInputsFailure) continue;
    expect(ALLOWED_CODES, `call ${r.id}: unexpected code ${r.error.code}`).toContain(r.error.code);
    if (r.error.notExecuted) {
      expect(
        ledger.handlersStarted.has(r.id),
        `call ${r.id} ran but was reported not executed`,
      ).toBe(false);
    }
  }
  // A producer suspended in an await when its call ends runs its finally at its next step.
  await reachedFinally(ledger.handlersStarted, ledger.handlersEnded, "handlers");
  await reachedFinally(ledger.inputsStarted, ledger.inputsEnded, "callers' inputs");
  // After a failure `closed` does not wait for aborted handlers: they leave as they see the abort.
  await until(() => client.stats.handlersRunning + server.stats.handlersRunning === 0, 1_000).catch(
    () => {},
  );
  for (const peer of [client, server]) {
    const s = peer.stats;
    expect(peer.state).toBe("closed");
    expect(s.streamsOpen).toBe(0);
    expect(s.streamBytesBuffered).toBe(0);
    expect(s.callsInFlight).toBe(0);
    expect(s.callsWaiting).toBe(0);
    expect(s.handlersRunning).toBe(0);
  }
}

/** Waits (boundedly) until everything in `started` is in `ended`; fails naming those that are not. */
async function reachedFinally(started: Set<number>, ended: Set<number>, what: string) {
  const missing = () => [...started].filter((id) => !ended.has(id));
  await until(() => missing().length === 0, 1_000).catch(() => {});
  expect(missing(), `${what} that never reached their finally`).toEqual([]);
}

describe("stream settlement under faults", () => {
  it("settles every stream call, ends every producer, and leaves nothing open, whatever fault strikes", async () => {
    await fc.assert(fc.asyncProperty(plan, runScenario), { seed: 20_261_207, numRuns: 150 });
  }, 180_000);
});
