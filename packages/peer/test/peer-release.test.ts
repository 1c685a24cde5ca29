import { collectAndMeasureHeap, createMemoryPair, trackLiveResources } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { createPeer } from "../src/index.js";

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
    // Counts unref'd timers too, which process.getActiveResourcesInfo() leaves out.
    const resources = trackLiveResources();
    onTestFinished(() => resources.stop());
    for (let i = 0; i < CYCLES; i++) await cycle();
    // Node reports a cleared timer's end on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    // Timers still pending now would live until the deadlines, a minute away.
    expect(resources.live("Timeout")).toBe(0);
  });

  it("can be collected once closed, with everything it held", async () => {
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < CYCLES; i++) refs.push(...(await cycle()));
    await new Promise((resolve) => setImmediate(resolve));
    collectAndMeasureHeap();
    const alive = refs.filter((ref) => ref.deref() !== undefined).length;
    expect(alive, `of ${refs.length} peers and connections`).toBe(0);
  });
});
