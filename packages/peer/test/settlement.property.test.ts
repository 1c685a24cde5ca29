/**
 * Exactly-once settlement under faults: random calls (delays, failures, timeouts, cancellations,
 * handlers that ignore their abort signal) meet a random fault at a random moment (graceful close
 * from either or both sides, destroy, crash, FIN without Bye, a blackholed link caught by the
 * heartbeat). Every call must settle with an allowed outcome, a call reported "not executed" must
 * never have run, every call is counted exactly once, and both peers end up closed.
 */
import { ServiceError } from "@parley/codec";
import { createMemoryPair } from "@parley/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPeer, type HandlerContext } from "../src/index.js";
import { ALLOWED_CODES, injectFault, linkAndFault } from "./support/faults.js";

interface CallPlan {
  startMs: number;
  delayMs: number;
  fail: boolean;
  ignoreAbort: boolean;
  timeoutMs: number;
  abortAfterMs: number | undefined;
}

const plan = fc.record({
  calls: fc.array(
    fc.record({
      startMs: fc.integer({ min: 0, max: 25 }),
      delayMs: fc.integer({ min: 0, max: 30 }),
      fail: fc.boolean(),
      ignoreAbort: fc.boolean(),
      timeoutMs: fc.integer({ min: 3, max: 80 }),
      abortAfterMs: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 25 },
  ),
  ...linkAndFault(30),
  maxPendingCalls: fc.integer({ min: 1, max: 8 }),
  maxConcurrentHandlers: fc.integer({ min: 1, max: 4 }),
  maxQueuedRequests: fc.integer({ min: 0, max: 4 }),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Plan = typeof plan extends fc.Arbitrary<infer T> ? T : never;

async function runScenario(p: Plan): Promise<void> {
  const executed = new Set<number>();
  const [a, b] = createMemoryPair({ latencyMs: p.latencyMs, chunkBytes: p.chunkBytes });
  const work = async (input: { id: number } & CallPlan, ctx: HandlerContext) => {
    executed.add(input.id);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, input.delayMs);
      if (!input.ignoreAbort) {
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      }
    });
    if (input.fail) throw new ServiceError("HANDLER_FAILED", "planned failure");
    return input.id;
  };
  const server = createPeer(b, {
    side: "server",
    handlers: { work },
    maxConcurrentHandlers: p.maxConcurrentHandlers,
    maxQueuedRequests: p.maxQueuedRequests,
    closeTimeoutMs: 40,
    handshakeTimeoutMs: 200,
    heartbeatIntervalMs: 5,
    heartbeatTimeoutMs: 15,
  });
  const client = createPeer(a, {
    maxPendingCalls: p.maxPendingCalls,
    closeTimeoutMs: 40,
    handshakeTimeoutMs: 200,
    heartbeatIntervalMs: 5,
    heartbeatTimeoutMs: 15,
  });

  const outcomes: Promise<{
    id: number;
    value?: unknown;
    error?: { code?: string; notExecuted?: boolean };
  }>[] = [];
  const starts = p.calls.map(
    (call, id) =>
      new Promise<void>((started) => {
        setTimeout(() => {
          const controller = call.abortAfterMs === undefined ? undefined : new AbortController();
          if (controller) setTimeout(() => controller.abort(), call.abortAfterMs);
          const options = {
            timeoutMs: call.timeoutMs,
            ...(controller ? { signal: controller.signal } : {}),
          };
          outcomes.push(
            client.request("work", { id, ...call }, options).then(
              (value) => ({ id, value }),
              (error) => ({ id, error }),
            ),
          );
          started();
        }, call.startMs);
      }),
  );

  await sleep(p.faultAtMs);
  injectFault(p.fault, client, server, a, b);
  await Promise.all(starts);
  const results = await Promise.all(outcomes);
  if (p.fault === "none") await Promise.all([client.close(), server.close()]);
  await Promise.all([client.closed, server.closed]);

  for (const r of results) {
    if (r.error === undefined) {
      expect(r.value).toBe(r.id);
      continue;
    }
    expect(ALLOWED_CODES, `unexpected code ${r.error.code}`).toContain(r.error.code);
    if (r.error.notExecuted)
      expect(executed.has(r.id), `call ${r.id} ran but was reported not executed`).toBe(false);
  }
  const s = client.stats;
  expect(s.callsCompleted + s.callsRejected + s.callsAbandoned).toBe(p.calls.length);
  expect(s.callsInFlight).toBe(0);
  expect(s.callsWaiting).toBe(0);
  expect(client.state).toBe("closed");
  expect(server.state).toBe("closed");
}

describe("settlement under faults", () => {
  it("settles every call exactly once with an allowed outcome, whatever fault strikes", async () => {
    await fc.assert(fc.asyncProperty(plan, runScenario), { seed: 20_251_121, numRuns: 60 });
  }, 120_000);
});
