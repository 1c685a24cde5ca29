import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import { type FlushScheduler, Outbox } from "../src/outbox.js";
import { SplitFrame } from "../src/split-frame.js";
import { until } from "./support/async.js";
import { spyWrites } from "./support/write-spy.js";

function setup(
  maxBufferedBytes = 1_000_000,
  slowMs = 10_000,
  highWaterMarkBytes = 64 * 1024,
  scheduler?: FlushScheduler,
) {
  const [a, b] = createMemoryPair({ highWaterMarkBytes });
  const received: Uint8Array[] = [];
  b.attach({ onData: (c) => received.push(c), onEnd() {}, onDrain() {}, onClose() {} });
  const { connection, writes } = spyWrites(a);
  const events = { writable: 0, flushed: 0, slow: 0 };
  const counters = { writes: 0, framesSent: 0, bytesSent: 0 };
  connection.attach({ onData() {}, onEnd() {}, onDrain: () => outbox.onDrain(), onClose() {} });
  const outbox = new Outbox(
    connection,
    maxBufferedBytes,
    slowMs,
    {
      onWritable: () => events.writable++,
      onFlushed: () => events.flushed++,
      onSlowConsumer: () => events.slow++,
    },
    counters,
    scheduler,
  );
  return { outbox, writes, events, counters, a, b, received };
}

describe("Outbox", () => {
  it("writes every frame pushed in one turn in a single write, in order", async () => {
    const { outbox, writes, counters } = setup();
    const frames = [1, 2, 3].map((n) => Uint8Array.of(n, n));
    for (const f of frames) outbox.push(f);
    expect(writes).toHaveLength(0);
    await new Promise((r) => process.nextTick(r));
    expect(writes).toEqual([frames]);
    expect(counters).toEqual({ writes: 1, framesSent: 3, bytesSent: 6 });
  });

  it("by default (auto) writes a turn that starts with a call once the reactions queued before it ran, before the next tick", async () => {
    const { outbox, writes } = setup();
    const ticks: number[] = [];
    process.nextTick(() => ticks.push(writes.length));
    await Promise.resolve(); // in a promise reaction now, the tick still queued
    const frames = [1, 2, 3].map((n) => Uint8Array.of(n));
    // Three reactions queued before the first call's flush: their calls share its write.
    await Promise.all(frames.map((f) => Promise.resolve().then(() => outbox.push(f, true))));
    expect(writes).toEqual([frames]);
    expect(ticks).toEqual([]);
    await new Promise((r) => process.nextTick(r));
    expect(ticks).toEqual([1]);
  });

  it("by default writes a turn that starts with any other frame on nextTick, calls pushed after it included", async () => {
    const { outbox, writes } = setup();
    const answer = Uint8Array.of(1);
    const call = Uint8Array.of(2);
    await Promise.resolve();
    outbox.push(answer);
    await Promise.resolve().then(() => outbox.push(call, true));
    await Promise.resolve();
    expect(writes).toHaveLength(0);
    await new Promise((r) => process.nextTick(r));
    expect(writes).toEqual([[answer, call]]);
  });

  it("with flushScheduler nextTick writes calls on nextTick too", async () => {
    const { outbox, writes } = setup(1_000_000, 10_000, 64 * 1024, "nextTick");
    await Promise.resolve().then(() => outbox.push(Uint8Array.of(1), true));
    await Promise.resolve();
    expect(writes).toHaveLength(0);
    await new Promise((r) => process.nextTick(r));
    expect(writes).toHaveLength(1);
  });

  it("writes frames lying back to back in one buffer as one chunk, and keeps the others apart", async () => {
    const { outbox, writes, counters } = setup();
    const memory = Uint8Array.from({ length: 12 }, (_, i) => i);
    const other = Uint8Array.of(99, 99);
    outbox.push(memory.subarray(0, 3));
    outbox.push(memory.subarray(3, 5));
    outbox.push(new SplitFrame(memory.subarray(5, 6), memory.subarray(6, 9))); // adjacent too
    outbox.push(other);
    outbox.push(memory.subarray(10, 12)); // a gap at 9: a chunk of its own
    await new Promise((r) => process.nextTick(r));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.map((c) => Array.from(c))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
      [99, 99],
      [10, 11],
    ]);
    expect(writes[0]![0]!.buffer).toBe(memory.buffer); // a view of the frames' memory, not a copy
    expect(counters).toEqual({ writes: 1, framesSent: 5, bytesSent: 13 });
  });

  it("writes frames pushed while held in one write at release(), with no flush left scheduled", async () => {
    const { outbox, writes, counters } = setup();
    const frames = [1, 2].map((n) => Uint8Array.of(n));
    outbox.hold();
    for (const f of frames) outbox.push(f);
    expect(writes).toHaveLength(0);
    outbox.release();
    expect(writes).toEqual([frames]);
    await new Promise((r) => process.nextTick(r));
    expect(counters.writes).toBe(1);
    // Released: pushing schedules the end-of-turn flush again.
    outbox.push(Uint8Array.of(3));
    expect(writes).toHaveLength(1);
    await new Promise((r) => process.nextTick(r));
    expect(writes).toHaveLength(2);
  });

  it("reads the clock once per batch: while a write is due every reading is the batch's first, until that write", async () => {
    const { outbox } = setup();
    const spin = () => {
      const end = performance.now() + 1;
      while (performance.now() < end) {}
    };
    const idle = outbox.batchNow();
    spin();
    expect(outbox.batchNow()).toBeGreaterThan(idle); // no write due: read afresh
    outbox.push(Uint8Array.of(1), true);
    const batch = outbox.batchNow();
    spin();
    expect(outbox.batchNow()).toBe(batch);
    outbox.hold(); // a chunk to handle: its readings come after it arrived
    expect(outbox.batchNow()).toBeGreaterThan(batch);
    outbox.release();
    outbox.push(Uint8Array.of(1), true);
    const again = outbox.batchNow();
    outbox.flush();
    expect(outbox.batchNow()).toBeGreaterThan(again);
    outbox.hold();
    const held = outbox.batchNow();
    spin();
    expect(outbox.batchNow()).toBe(held);
    outbox.release(); // nothing pushed: no write, but the batch is over
    expect(outbox.batchNow()).toBeGreaterThan(held);
    outbox.push(Uint8Array.of(2));
    const ticked = outbox.batchNow();
    await new Promise((r) => process.nextTick(r)); // the scheduled write
    spin();
    expect(outbox.batchNow()).toBeGreaterThan(ticked);
  });

  it("wakes waiting senders only after a write that unblocked it: any other write is only flushed", async () => {
    const { outbox, events } = setup(10);
    outbox.push(new Uint8Array(6));
    await new Promise((r) => process.nextTick(r));
    expect(events).toMatchObject({ writable: 0, flushed: 1 });
    outbox.push(new Uint8Array(12));
    await new Promise((r) => process.nextTick(r));
    expect(events).toMatchObject({ writable: 1, flushed: 1 });
  });

  it("is blocked while a turn's queued bytes reach maxBufferedBytes, and unblocked after the write", async () => {
    const { outbox, events } = setup(10);
    outbox.push(new Uint8Array(6));
    expect(outbox.blocked).toBe(false);
    outbox.push(new Uint8Array(6));
    expect(outbox.blocked).toBe(true);
    await new Promise((r) => process.nextTick(r));
    expect(outbox.blocked).toBe(false);
    expect(events.writable).toBe(1);
  });

  it("stays blocked after write() returns false until the connection drains", async () => {
    const { outbox, events, b } = setup(1_000_000, 10_000, 100);
    b.pause();
    outbox.push(new Uint8Array(500));
    outbox.flush();
    expect(outbox.blocked).toBe(true);
    expect(events.writable).toBe(0);
    b.resume();
    await until(() => !outbox.blocked);
    expect(events.writable).toBe(1);
    outbox.close();
  });

  it("reports a slow consumer when blocked for slowConsumerTimeoutMs", async () => {
    const { outbox, events, b } = setup(1_000_000, 10, 100);
    b.pause();
    outbox.push(new Uint8Array(500));
    outbox.flush();
    await until(() => events.slow === 1);
  });

  it("drops frames pushed after close", () => {
    const { outbox, writes } = setup();
    outbox.close();
    outbox.push(Uint8Array.of(1));
    outbox.flush();
    expect(writes).toHaveLength(0);
  });
});
