import { createServer } from "node:net";
import { expect, it } from "vitest";
import {
  collectAndMeasureHeap,
  countOpenFds,
  heapSlope,
  RetentionTracker,
  runBounded,
  trackLiveResources,
} from "../src/index.js";

it("counts this process's file descriptors, one more while a listener is open", async () => {
  const before = countOpenFds();
  expect(before).toBeGreaterThan(0);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  expect(countOpenFds()).toBe(before! + 1);
  await new Promise((resolve) => server.close(resolve));
  expect(countOpenFds()).toBe(before);
  expect(countOpenFds(2 ** 22 + 1)).toBeUndefined();
});

it("fits the heap's slope in bytes per unit, and refuses too few samples", () => {
  const samples = [0, 1, 2, 3].map((x) => ({ x: x * 100, bytes: 1_000 + x * 100 * 7 + (x % 2) }));
  expect(heapSlope(samples)).toBeCloseTo(7, 1);
  expect(() => heapSlope([{ x: 1, bytes: 1 }])).toThrow(RangeError);
  expect(() =>
    heapSlope([
      { x: 1, bytes: 1 },
      { x: 1, bytes: 2 },
    ]),
  ).toThrow(RangeError);
});

const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Tracks `count` fresh 16 KiB objects and returns them; the caller decides whether to keep them. */
function makeTracked(tracker: RetentionTracker, count: number): object[] {
  return Array.from({ length: count }, () => {
    const target = { payload: new Array<number>(4096).fill(1) };
    tracker.track(target);
    return target;
  });
}

it("sees retained memory in the heap and in the retention tracker, and its release", async () => {
  const tracker = new RetentionTracker();
  const kept = makeTracked(tracker, 8);
  makeTracked(tracker, 64); // dropped at once
  await nextTurn();
  const held = collectAndMeasureHeap();
  expect(tracker.tracked).toBe(72);
  expect(tracker.alive()).toBe(8);
  kept.length = 0;
  await nextTurn();
  const released = collectAndMeasureHeap();
  expect(tracker.alive()).toBe(0);
  expect(held - released).toBeGreaterThan(8 * 16_000);
});

it("counts unref'd timers as live until they are cleared", async () => {
  const resources = trackLiveResources();
  const timers = [setTimeout(() => {}, 60_000).unref(), setTimeout(() => {}, 60_000).unref()];
  expect(resources.live("Timeout")).toBe(2);
  for (const timer of timers) clearTimeout(timer);
  await nextTurn();
  await nextTurn();
  // Two turns: both cleared timers and the first turn's own timer are reported destroyed; the
  // second turn's timer may still be pending, and so may a timer of the test runner's.
  expect(resources.live("Timeout")).toBeLessThanOrEqual(1);
  resources.stop();
});

it("runs tasks with bounded concurrency and returns their results in order", async () => {
  let running = 0;
  let peak = 0;
  const results = await runBounded(20, 3, async (i) => {
    peak = Math.max(peak, ++running);
    await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
    running--;
    return i * 2;
  });
  expect(peak).toBe(3);
  expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  await expect(
    runBounded(3, 2, async (i) => {
      if (i === 1) throw new Error("task 1");
    }),
  ).rejects.toThrow("task 1");
});
