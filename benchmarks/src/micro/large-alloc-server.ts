// The echo server of large-alloc.ts, in its own process so its allocations are the server's alone;
// also the meter both sides use.
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { getHeapStatistics } from "node:v8";
import { defineContract, serve, z } from "@parley/rpc";

const bytes = z.instanceof(Uint8Array);
export const allocContract = defineContract({
  name: "alloc-bench",
  version: 1,
  requests: { echo: { input: bytes, output: bytes } },
});

/** Heap plus ArrayBuffer growth over a window, or null when a collection ran inside it. */
export class AllocationMeter {
  /** Start times of the collections observed (reported late, so judged by when they ran). */
  private readonly collections: number[] = [];
  private startedAt = 0;
  private heap = 0;
  private buffers = 0;

  constructor() {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.collections.push(entry.startTime);
    }).observe({ entryTypes: ["gc"] });
  }

  /** Collects (so the window starts clean), then starts counting. */
  start(): void {
    globalThis.gc?.();
    this.startedAt = performance.now();
    this.heap = getHeapStatistics().used_heap_size;
    this.buffers = process.memoryUsage().arrayBuffers;
  }

  /** Bytes allocated since {@link start}, or null when a collection freed some of them. */
  async stop(): Promise<number | null> {
    const heap = getHeapStatistics().used_heap_size - this.heap;
    const buffers = process.memoryUsage().arrayBuffers - this.buffers;
    const endedAt = performance.now();
    // gc entries arrive some turns after the collection; wait for any that ran in the window.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const ran = this.collections.some((at) => at >= this.startedAt && at <= endedAt);
    this.collections.length = 0;
    return ran || heap < 0 || buffers < 0 ? null : heap + buffers;
  }
}

// Started as a process (by large-alloc.ts), not imported for the contract.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tcp = process.argv[2] === "tcp";
  const server = await serve({
    url: tcp ? "tcp://127.0.0.1:0" : `unix:///tmp/parley-micro-alloc-${process.pid}.sock`,
    contract: allocContract,
    handlers: { echo: (input) => input },
  });
  const meter = new AllocationMeter();
  process.send?.(server.url);
  process.on("message", (message) => {
    if (message === "start") {
      meter.start();
      process.send?.("started");
    } else if (message === "stop") {
      void meter.stop().then((bytes) => process.send?.(bytes));
    } else void server.close().then(() => process.exit(0));
  });
}
