// Soak: 200,000 calls over one connection, and 2,000 connect/call/close cycles. File descriptors
// must come back to where they were, closed connections must be collectable, and the heap's
// growth per call (per cycle) is measured and bounded.
import {
  collectAndMeasureHeap,
  countOpenFds,
  expectNoLeakedHandles,
  type HeapSample,
  heapSlope,
  RetentionTracker,
  runBounded,
  snapshotHandles,
  trackLiveResources,
} from "@parley/testkit";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { connect, serve } from "../src/index.js";
import { reportFigures, scaled } from "./chaos-fixtures.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

const CALLS = scaled(200_000);
const CYCLES = scaled(2_000);
const CONCURRENCY = 64;
const SAMPLES = 10;
// Bounds on the heap's least-squares slope. A leak of one small object per call (a pending-table
// entry, a closure: 50 bytes and more) or of one closed connection per cycle (its peer, codec and
// buffers: tens of KiB) is far above them; collection noise over the run is far below.
const MAX_BYTES_PER_CALL = 16;
const MAX_BYTES_PER_CYCLE = 2_048;

async function startServer() {
  const server = await serve({
    url: `unix://${tempSocketPath()}`,
    contract: testContract,
    handlers: testHandlers(),
  });
  onTestFinished(() => server.destroy());
  return server;
}

/** Runs `total` units of `work` in `SAMPLES` slices, measuring the heap after each. */
async function sampleHeap(total: number, work: (from: number, to: number) => Promise<void>) {
  const samples: HeapSample[] = [];
  for (let slice = 0; slice < SAMPLES; slice++) {
    const from = Math.floor((slice * total) / SAMPLES);
    const to = Math.floor(((slice + 1) * total) / SAMPLES);
    await work(from, to);
    samples.push({ x: to, bytes: collectAndMeasureHeap() });
  }
  return samples;
}

describe("chaos: soak", () => {
  it(`makes ${CALLS} calls over one connection with no fd growth and a bounded heap slope`, {
    timeout: 240_000 * Math.max(1, CALLS / 200_000),
  }, async () => {
    const server = await startServer();
    const client = await connect({ url: server.url, contract: testContract });
    await client.call.echo("warm up");
    const fdsBefore = countOpenFds();
    const start = performance.now();
    let failures = 0;
    const samples = await sampleHeap(CALLS, async (from, to) => {
      await runBounded(to - from, CONCURRENCY, async (i) => {
        const text = `call ${from + i}`;
        if ((await client.call.echo(text)) !== text) failures++;
      });
    });
    const durationMs = performance.now() - start;
    const fdsAfter = countOpenFds();
    const slope = heapSlope(samples.slice(1)); // the first slice warms up caches and JIT
    reportFigures("soak-calls", {
      calls: CALLS,
      durationMs: Math.round(durationMs),
      fdsBefore,
      fdsAfter,
      heapSlopeBytesPerCall: Number(slope.toFixed(3)),
      heapFirstMiB: mib(samples[0]!.bytes),
      heapLastMiB: mib(samples.at(-1)!.bytes),
    });
    expect(failures).toBe(0);
    expect(fdsAfter).toBe(fdsBefore);
    expect(slope).toBeLessThan(MAX_BYTES_PER_CALL);
    await client.close();
  });

  it(`runs ${CYCLES} connect/call/close cycles with no fd growth, no closed connection or its timers kept alive, and a bounded heap slope`, {
    timeout: 240_000 * Math.max(1, CYCLES / 2_000),
  }, async () => {
    const server = await startServer();
    const peers = new RetentionTracker();
    server.on("connect", (connection) => peers.track(connection.peer));
    const before = snapshotHandles();
    const resources = trackLiveResources();
    onTestFinished(() => resources.stop());
    const start = performance.now();
    const samples = await sampleHeap(CYCLES, async (from, to) => {
      await runBounded(to - from, 4, async (i) => {
        const client = await connect({ url: server.url, contract: testContract });
        if (client.peer) peers.track(client.peer);
        expect(await client.call.echo(`cycle ${from + i}`)).toBe(`cycle ${from + i}`);
        await client.close();
      });
    });
    const durationMs = performance.now() - start;
    const closed = await vi
      .waitUntil(() => server.connections.length === 0, { timeout: 5_000, interval: 20 })
      .then(
        () => true,
        () => false,
      );
    collectAndMeasureHeap();
    const alive = peers.alive();
    // Node reports a timer's end a turn after it fired or was cleared: one turn on, the wait's
    // own timers are gone from the count.
    await new Promise((resolve) => setImmediate(resolve));
    // Timers still armed: every connection is closed, so none should be left (unref'd ones too).
    const timers = resources.live("Timeout");
    resources.stop();
    const slope = heapSlope(samples.slice(1));
    reportFigures("soak-cycles", {
      cycles: CYCLES,
      durationMs: Math.round(durationMs),
      fdsBefore: before.fds,
      fdsAfter: countOpenFds(),
      peersTracked: peers.tracked,
      peersAlive: alive,
      timersLeft: timers,
      heapSlopeBytesPerCycle: Math.round(slope),
      heapFirstMiB: mib(samples[0]!.bytes),
      heapLastMiB: mib(samples.at(-1)!.bytes),
    });
    expect(closed).toBe(true);
    expect(peers.tracked).toBe(2 * CYCLES);
    await expectNoLeakedHandles(before, { timeoutMs: 5_000, ignore: ["Timeout"] });
    // Each closed connection's peer (client and server side) must be garbage once closed: a
    // timer or table that still holds it keeps its buffers and codec too.
    expect(alive).toBe(0);
    // Read a turn after the wait above, so its timers are not counted; the leak check's poll starts
    // after this count is read.
    expect(timers).toBe(0);
    expect(slope).toBeLessThan(MAX_BYTES_PER_CYCLE);
  });
});

const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(2));
