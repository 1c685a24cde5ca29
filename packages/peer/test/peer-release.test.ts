import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { createPeer } from "../src/index.js";

/**
 * Counts the real timers created through the global `setTimeout` that are still pending: neither
 * fired nor cleared. Unref'd timers are invisible to `process.getActiveResourcesInfo()`, so the
 * count is kept here, around the real functions.
 */
function trackTimers(): { readonly pending: number } {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const pending = new Set<unknown>();
  const tracked = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = realSet(
      (...a: unknown[]) => {
        pending.delete(timer);
        callback(...a);
      },
      ms,
      ...args,
    );
    pending.add(timer);
    return timer;
  }) as typeof setTimeout;
  globalThis.setTimeout = tracked;
  globalThis.clearTimeout = ((timer: Parameters<typeof clearTimeout>[0]) => {
    pending.delete(timer);
    realClear(timer);
  }) as typeof clearTimeout;
  onTestFinished(() => {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
  });
  return {
    get pending() {
      return pending.size;
    },
  };
}

/** The real V8 collector, reached without a command-line flag. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

const CYCLES = 200;
const LONG_DEADLINE_MS = 60_000;

/** One connect / call / graceful close cycle; returns weak handles on what it created. */
async function cycle(): Promise<WeakRef<object>[]> {
  const [a, b] = createMemoryPair();
  const server = createPeer(b, { side: "server", handlers: { echo: (v: unknown) => v } });
  const client = createPeer(a, { side: "client", requestTimeoutMs: LONG_DEADLINE_MS });
  await expect(client.request("echo", "hi", { timeoutMs: LONG_DEADLINE_MS })).resolves.toBe("hi");
  await client.close();
  await Promise.all([client.closed, server.closed]);
  return [new WeakRef(client), new WeakRef(server), new WeakRef(a), new WeakRef(b)];
}

describe("a closed peer", () => {
  it(`keeps no timer after ${CYCLES} connect/call/close cycles with ${LONG_DEADLINE_MS} ms deadlines`, async () => {
    const timers = trackTimers();
    for (let i = 0; i < CYCLES; i++) await cycle();
    // Timers still pending now would live until the deadlines, a minute away.
    expect(timers.pending).toBe(0);
  });

  it("can be collected once closed, with everything it held", async () => {
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < CYCLES; i++) refs.push(...(await cycle()));
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    const alive = refs.filter((ref) => ref.deref() !== undefined).length;
    expect(alive, `of ${refs.length} peers and connections`).toBe(0);
  });
});
