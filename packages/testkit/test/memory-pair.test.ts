import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createMemoryPair,
  DEFAULT_HIGH_WATER_MARK_BYTES,
  DEFAULT_LATENCY_MS,
  DEFAULT_MEMORY_NAMES,
  recordConnection,
} from "../src/index.js";
import { pattern, turns } from "./turns.js";

const bytes = (...values: number[]) => Uint8Array.from(values);
const types = (events: readonly { type: string }[]) => events.map((event) => event.type);

describe("memory pair data path", () => {
  it("delivers a write on a later macrotask, never inside write()", async () => {
    const [a, b] = createMemoryPair();
    const rb = recordConnection(b);
    a.write([bytes(1, 2, 3)]);
    expect(rb.receivedBytes).toBe(0);
    await rb.whenBytes(3);
    expect([...rb.received()]).toEqual([1, 2, 3]);
  });

  it("delivers each write as one chunk, in write order, never interleaved", async () => {
    const [a, b] = createMemoryPair();
    const rb = recordConnection(b);
    a.write([bytes(1), bytes(2, 3), bytes(4)]);
    a.write([bytes(5, 6)]);
    a.write([bytes(7), bytes(8)]);
    await rb.whenBytes(8);
    expect(rb.chunks.map((chunk) => [...chunk])).toEqual([
      [1, 2, 3, 4],
      [5, 6],
      [7, 8],
    ]);
  });

  it("copies written bytes so the writer may reuse its buffer at once", async () => {
    const [a, b] = createMemoryPair();
    const rb = recordConnection(b);
    const scratch = bytes(9, 9, 9);
    a.write([scratch]);
    scratch.fill(0);
    await rb.whenBytes(3);
    expect([...rb.received()]).toEqual([9, 9, 9]);
  });

  it("delivers nothing before attach() and everything, then the end, after it", async () => {
    const [a, b] = createMemoryPair();
    a.write([bytes(1, 2)]);
    a.write([bytes(3)]);
    a.end();
    await turns(10);
    expect(a.bufferedBytes).toBe(3);
    expect(a.stats.bytesDelivered).toBe(0);
    const rb = recordConnection(b);
    await rb.whenEnded();
    expect([...rb.received()]).toEqual([1, 2, 3]);
    expect(rb.events.map((event) => event.type)).toEqual(["data", "data", "end"]);
  });

  it("re-cuts writes into chunks of at most chunkBytes without changing a byte", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 17 }),
        async (chunks, chunkBytes) => {
          const [a, b] = createMemoryPair({ chunkBytes });
          const rb = recordConnection(b);
          const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
          a.write(chunks);
          a.end();
          await rb.whenEnded();
          expect(rb.received()).toEqual(Buffer.concat(chunks));
          expect(rb.chunks.every((chunk) => chunk.byteLength <= chunkBytes)).toBe(true);
          expect(rb.chunks.length).toBe(Math.ceil(total / chunkBytes));
        },
      ),
      { seed: 4242, numRuns: 60 },
    );
  });

  it("re-cuts each write on its own, so a chunk never mixes two writes", async () => {
    const [a, b] = createMemoryPair({ chunkBytes: 2 });
    const rb = recordConnection(b);
    a.write([bytes(1, 2, 3)]);
    a.write([bytes(4, 5, 6)]);
    await rb.whenBytes(6);
    expect(rb.chunks.map((chunk) => [...chunk])).toEqual([[1, 2], [3], [4, 5], [6]]);
  });

  it("holds writes back for latencyMs, then delivers them in order", async () => {
    const [slowA, slowB] = createMemoryPair({ latencyMs: 60_000 });
    const slow = recordConnection(slowB);
    slowA.write([bytes(1)]);
    await turns(10);
    expect(slow.receivedBytes).toBe(0);
    slowA.reset();

    const [a, b] = createMemoryPair({ latencyMs: 5 });
    const rb = recordConnection(b);
    for (let i = 0; i < 20; i++) a.write([bytes(i)]);
    await rb.whenBytes(20);
    expect([...rb.received()]).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("counts writes, chunks and bytes written and delivered", async () => {
    const [a, b] = createMemoryPair({ chunkBytes: 4 });
    const rb = recordConnection(b);
    a.write([pattern(6), pattern(4)]);
    a.write([]);
    a.write([pattern(3)]);
    expect(a.stats).toMatchObject({ writes: 3, chunksWritten: 3, bytesWritten: 13 });
    expect(a.stats.bytesDelivered).toBe(0);
    await rb.whenBytes(13);
    // 10 bytes cut by 4 -> 3 chunks, 3 bytes -> 1 chunk; the empty write delivers nothing.
    expect(a.stats).toEqual({
      writes: 3,
      chunksWritten: 3,
      bytesWritten: 13,
      bytesDelivered: 13,
      chunksDelivered: 4,
    });
    expect(b.stats.bytesWritten).toBe(0);
  });

  it("labels the ends with names, the first end's local being the second's remote", () => {
    const [a, b] = createMemoryPair();
    expect([a.localAddress, a.remoteAddress]).toEqual([...DEFAULT_MEMORY_NAMES]);
    expect([b.localAddress, b.remoteAddress]).toEqual(["memory:b", "memory:a"]);
    const [c, d] = createMemoryPair({ names: ["client", "server"] });
    expect([c.localAddress, c.remoteAddress, d.localAddress]).toEqual([
      "client",
      "server",
      "server",
    ]);
  });
});

describe("memory pair backpressure", () => {
  it("returns false from write() once bufferedBytes reaches highWaterMarkBytes", () => {
    const [a] = createMemoryPair({ highWaterMarkBytes: 10 });
    expect(a.write([pattern(9)])).toBe(true);
    expect(a.bufferedBytes).toBe(9);
    expect(a.write([pattern(1)])).toBe(false);
    expect(a.bufferedBytes).toBe(10);
  });

  it("grows the sender's bufferedBytes while the receiver is paused, then drains on resume", async () => {
    const [a, b] = createMemoryPair({ highWaterMarkBytes: 100 });
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    b.pause();
    expect(a.write([pattern(60)])).toBe(true);
    await turns();
    expect(a.bufferedBytes).toBe(60);
    expect(a.write([pattern(60)])).toBe(false);
    expect(a.write([pattern(60)])).toBe(false);
    await turns();
    expect(a.bufferedBytes).toBe(180);
    expect(rb.receivedBytes).toBe(0);
    expect(ra.counts.drains).toBe(0);
    b.resume();
    await ra.whenDrained();
    expect(a.bufferedBytes).toBeLessThan(100);
    await rb.whenBytes(180);
    expect(ra.counts.drains).toBe(1);
  });

  it("stops delivering at once when the receiver pauses inside onData, end included", async () => {
    const [a, b] = createMemoryPair({ chunkBytes: 1 });
    const rb = recordConnection(b, { onData: (_chunk, connection) => connection.pause() });
    a.write([bytes(1, 2, 3)]);
    a.end();
    await turns(10);
    expect(types(rb.events)).toEqual(["data"]);
    expect(a.bufferedBytes).toBe(2);
    b.resume();
    await turns(10);
    expect(types(rb.events)).toEqual(["data", "data"]);
    b.resume();
    await turns(10);
    // The last byte paused the receiver too: the end waits for the next resume().
    expect(types(rb.events)).toEqual(["data", "data", "data"]);
    b.resume();
    await rb.whenEnded();
  });

  it("fires onDrain only after a write() returned false", async () => {
    const [a, b] = createMemoryPair({ highWaterMarkBytes: 100 });
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    for (let i = 0; i < 10; i++) a.write([pattern(50)]);
    await rb.whenBytes(500);
    await turns();
    expect(ra.counts.drains).toBe(1);
    a.write([pattern(50)]);
    await rb.whenBytes(550);
    await turns();
    expect(ra.counts.drains).toBe(1);
  });

  it("fires onDrain after attach() for a write that returned false before it", async () => {
    const [a, b] = createMemoryPair({ highWaterMarkBytes: 4 });
    expect(a.write([pattern(8)])).toBe(false);
    recordConnection(b);
    const ra = recordConnection(a);
    await ra.whenDrained();
    expect(a.bufferedBytes).toBe(0);
  });

  it("holds bytes without an error while delivery is stopped, and delivers them on resume", async () => {
    const [a, b] = createMemoryPair({ highWaterMarkBytes: 8 });
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    a.stopDelivery();
    expect(a.write([bytes(1, 2, 3, 4, 5, 6, 7, 8)])).toBe(false);
    b.write([bytes(9)]);
    a.end();
    await turns(10);
    expect([rb.events.length, ra.events.length, a.bufferedBytes]).toEqual([0, 0, 8]);
    b.resumeDelivery();
    await rb.whenEnded();
    await ra.whenBytes(1);
    expect([...rb.received()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ra.counts.drains).toBe(1);
  });

  it("stops one direction only when asked for outbound or inbound", async () => {
    const [a, b] = createMemoryPair();
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    a.stopDelivery({ direction: "outbound" });
    a.write([bytes(1)]);
    b.write([bytes(2)]);
    await ra.whenBytes(1);
    await turns();
    expect(rb.receivedBytes).toBe(0);
    a.resumeDelivery({ direction: "outbound" });
    await rb.whenBytes(1);
    b.stopDelivery({ direction: "inbound" });
    a.write([bytes(3)]);
    b.write([bytes(4)]);
    await ra.whenBytes(2);
    await turns();
    expect(rb.receivedBytes).toBe(1);
  });
});

describe("memory pair options", () => {
  it("exports its defaults", () => {
    expect(DEFAULT_HIGH_WATER_MARK_BYTES).toBe(65_536);
    expect(DEFAULT_LATENCY_MS).toBe(0);
    const [a] = createMemoryPair();
    expect(a.write([pattern(65_535)])).toBe(true);
    expect(a.write([pattern(1)])).toBe(false);
  });

  it.each([
    [{ highWaterMarkBytes: 0 }, "highWaterMarkBytes must be an integer of at least 1, got 0"],
    [{ highWaterMarkBytes: 1.5 }, "highWaterMarkBytes must be an integer of at least 1"],
    [{ chunkBytes: 0 }, "chunkBytes must be an integer of at least 1"],
    [{ latencyMs: -1 }, "latencyMs must be a finite number of at least 0"],
    [{ latencyMs: Number.NaN }, "latencyMs must be a finite number of at least 0"],
    [{ names: ["only"] }, "names must be an array of two strings"],
    [{ names: ["a", ""] }, "names[1] must be a non-empty string"],
  ])("rejects %o with INVALID_OPTION naming the option", (options, message) => {
    expect(() => createMemoryPair(options as never)).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: expect.stringContaining(message),
      }),
    );
  });
});
