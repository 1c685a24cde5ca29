import { describe, expect, it, onTestFinished } from "vitest";
import { type Deadlined, DeadlineTimer, monotonicNow } from "../src/pending-call.js";
import { until } from "./support/async.js";
import { collectWarnings, countTimerRuns } from "./support/timer-runs.js";

function entry(label: string, inMs: number, fired: string[]): Deadlined {
  return { dueAt: monotonicNow() + inMs, heapIndex: -1, onDeadline: () => fired.push(label) };
}

describe("DeadlineTimer", () => {
  it("fires entries in deadline order, whatever the insertion order", async () => {
    const timers = new DeadlineTimer();
    const fired: string[] = [];
    for (const [label, ms] of [
      ["c", 15],
      ["a", 1],
      ["d", 20],
      ["b", 8],
    ] as const) {
      timers.add(entry(label, ms, fired));
    }
    await until(() => fired.length === 4);
    expect(fired).toEqual(["a", "b", "c", "d"]);
    expect(timers.size).toBe(0);
  });

  it("never fires an entry removed before its deadline", async () => {
    const timers = new DeadlineTimer();
    const fired: string[] = [];
    const entries = ["a", "b", "c"].map((label) => entry(label, 5, fired));
    for (const e of entries) timers.add(e);
    timers.remove(entries[1]!);
    expect(entries[1]!.heapIndex).toBe(-1);
    // All three share one deadline, so they are due in the same timer run: had "b" stayed in the
    // heap, it would have fired beside the other two.
    await until(() => fired.length >= 2);
    expect(fired.sort()).toEqual(["a", "c"]);
  });

  it("keeps the heap ordered through many random adds and removes", () => {
    const timers = new DeadlineTimer();
    const live: Deadlined[] = [];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      if (live.length > 0 && random() < 0.4) {
        const [gone] = live.splice(Math.floor(random() * live.length), 1);
        timers.remove(gone!);
      } else {
        const e = entry(`${i}`, 10_000 + random() * 10_000, []);
        live.push(e);
        timers.add(e);
      }
    }
    expect(timers.size).toBe(live.length);
    const heap = (timers as unknown as { heap: Deadlined[] }).heap;
    heap.forEach((e, i) => {
      expect(e.heapIndex).toBe(i);
      if (i > 0) expect(heap[(i - 1) >> 1]!.dueAt).toBeLessThanOrEqual(e.dueAt);
    });
    timers.clear();
    expect(live.every((e) => e.heapIndex === -1)).toBe(true);
  });

  it("lets a callback add a new entry that fires later", async () => {
    const timers = new DeadlineTimer();
    const fired: string[] = [];
    timers.add({
      dueAt: monotonicNow() + 1,
      heapIndex: -1,
      onDeadline: () => {
        fired.push("first");
        timers.add(entry("second", 3, fired));
      },
    });
    await until(() => fired.length === 2);
    expect(fired).toEqual(["first", "second"]);
  });

  it("waits quietly for a deadline beyond setTimeout's largest delay", async () => {
    const warnings = collectWarnings("TimeoutOverflowWarning");
    const timers = new DeadlineTimer();
    onTestFinished(() => timers.clear());
    const runs = countTimerRuns(timers);
    const fired: string[] = [];
    timers.add(entry("far", 2 ** 32, fired));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(warnings).toEqual([]);
    expect(runs()).toBe(0);
    expect(fired).toEqual([]);
    expect(timers.size).toBe(1);
  });

  it("fires entries that came in deadline order, and ones due earlier, in deadline order", async () => {
    const timers = new DeadlineTimer();
    const fired: string[] = [];
    // q1..q3 come in order (the queue); h1 and h2 are due before the last queued (the heap).
    for (const [label, ms] of [
      ["q1", 4],
      ["q2", 10],
      ["h1", 2],
      ["q3", 16],
      ["h2", 12],
    ] as const) {
      timers.add(entry(label, ms, fired));
    }
    expect(timers.size).toBe(5);
    await until(() => fired.length === 5);
    expect(fired).toEqual(["h1", "q1", "q2", "h2", "q3"]);
    expect(timers.size).toBe(0);
  });

  it("moves a lone long-lived entry out of the queue's way, so later short ones still queue", async () => {
    const timers = new DeadlineTimer();
    onTestFinished(() => timers.clear());
    const fired: string[] = [];
    const long = entry("long", 3_600_000, fired);
    timers.add(long);
    expect(long.heapIndex).toBeLessThan(-1); // queued, alone
    const short = ["s1", "s2", "s3"].map((label, i) => entry(label, 5 + i, fired));
    for (const e of short) timers.add(e);
    expect(long.heapIndex).toBeGreaterThanOrEqual(0); // moved to the heap
    for (const e of short) expect(e.heapIndex).toBeLessThan(-1); // queued in order
    await until(() => fired.length === 3);
    expect(fired).toEqual(["s1", "s2", "s3"]);
    expect(timers.size).toBe(1);
    timers.remove(long);
    expect(timers.size).toBe(0);
  });

  it("keeps the entries in order through many removals out of order (compaction included)", async () => {
    const timers = new DeadlineTimer();
    const fired: string[] = [];
    const base = monotonicNow();
    const entries: Deadlined[] = [];
    for (let i = 0; i < 1000; i++) {
      const e: Deadlined = {
        dueAt: base + 20 + i / 100, // in order: every one joins the queue
        heapIndex: -1,
        onDeadline: () => fired.push(`${i}`),
      };
      entries.push(e);
      timers.add(e);
    }
    // Remove all but every 100th, from the back and the middle first, so holes pile up.
    const kept = new Set(entries.filter((_, i) => i % 100 === 0));
    for (let i = 999; i >= 0; i--) if (!kept.has(entries[i]!)) timers.remove(entries[i]!);
    expect(timers.size).toBe(10);
    for (const e of entries) if (!kept.has(e)) expect(e.heapIndex).toBe(-1);
    await until(() => fired.length === 10);
    expect(fired).toEqual(["0", "100", "200", "300", "400", "500", "600", "700", "800", "900"]);
    expect(timers.size).toBe(0);
  });
});
