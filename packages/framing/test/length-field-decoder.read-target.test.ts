// readTarget: the rest of a large frame read straight into the buffer the frame is emitted in.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { LengthFieldDecoder, type LengthFieldLength } from "@parley/framing";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { concat, frame, lengthBytes } from "./support.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const body = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff);

/** Copies the next `n` bytes of `wire` from `at` into `target` (what a socket read does). */
function readInto(target: Uint8Array, wire: Uint8Array, at: number, n: number): Uint8Array {
  target.set(wire.subarray(at, at + n));
  return target.subarray(0, n);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("LengthFieldDecoder.readTarget", () => {
  it("offers nothing before a frame's header is complete", () => {
    const decoder = new LengthFieldDecoder();
    expect(decoder.readTarget(0)).toBeUndefined();
    decoder.decode(frame(body).subarray(0, 3));
    expect(decoder.readTarget(0)).toBeUndefined();
  });

  it("offers the rest of the frame, and the frame read into it is emitted without a copy", () => {
    const wire = frame(body);
    const decoder = new LengthFieldDecoder();
    expect(decoder.decode(wire.slice(0, 100))).toEqual([]);
    const target = decoder.readTarget(16);
    expect(target?.length).toBe(wire.length - 100);
    const chunk = readInto(target!, wire, 100, wire.length - 100);
    const copies = vi.spyOn(Uint8Array.prototype, "set");
    const frames = decoder.decode(chunk);
    expect(copies).not.toHaveBeenCalled();
    copies.mockRestore();
    expect(frames).toEqual([body]);
    // The frame is the memory the read went to: the bytes were not assembled a second time.
    expect(frames[0]!.buffer).toBe(target!.buffer);
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.readTarget(0)).toBeUndefined();
  });

  it("moves on through partial reads, offering what is still missing each time", () => {
    const wire = frame(body);
    const decoder = new LengthFieldDecoder();
    decoder.decode(wire.slice(0, 10));
    let at = 10;
    const frames: Uint8Array[] = [];
    while (at < wire.length) {
      const target = decoder.readTarget(1)!;
      expect(target.length).toBe(wire.length - at);
      const n = Math.min(97, target.length);
      frames.push(...decoder.decode(readInto(target, wire, at, n)));
      at += n;
    }
    expect(frames).toEqual([body]);
  });

  it("offers nothing when fewer than minBytes are missing", () => {
    const decoder = new LengthFieldDecoder();
    decoder.decode(frame(body).subarray(0, 900));
    expect(decoder.readTarget(105)).toBeUndefined();
    expect(decoder.readTarget(104)?.length).toBe(104);
  });

  it("still takes a chunk read elsewhere after offering a target (it is copied as before)", () => {
    const wire = frame(body);
    const decoder = new LengthFieldDecoder();
    decoder.decode(wire.slice(0, 50));
    expect(decoder.readTarget(0)).toBeDefined();
    expect(decoder.decode(wire.slice(50))).toEqual([body]);
  });

  it("emits a frame whose chunks lie back to back in memory as one view, copying nothing", () => {
    // A reader that fills one buffer read after read hands over such chunks (transport-net's slabs).
    const wire = concat(frame(body), frame(body.subarray(0, 10)));
    const decoder = new LengthFieldDecoder();
    const frames: Uint8Array[] = [];
    const copies = vi.spyOn(Uint8Array.prototype, "set");
    for (const [from, to] of [
      [0, 3],
      [3, 400],
      [400, 1010],
      [1010, wire.length],
    ] as const) {
      decoder.push(wire.subarray(from, to), (f) => frames.push(f));
    }
    expect(copies).not.toHaveBeenCalled();
    copies.mockRestore();
    expect(frames).toEqual([body, body.subarray(0, 10)]);
    expect(frames.map((f) => [f.buffer, f.byteOffset])).toEqual([
      [wire.buffer, 4],
      [wire.buffer, 1008],
    ]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("offers `next` when it continues the frame in memory and holds the rest, else a buffer", () => {
    const wire = frame(body);
    const decoder = new LengthFieldDecoder();
    decoder.decode(wire.subarray(0, 100));
    const rest = wire.length - 100;
    const after = wire.subarray(100);
    expect(decoder.readTarget(16, after)).toBe(after);
    // Too short to hold the rest, or somewhere else: the frame's own buffer, as without `next`.
    expect(decoder.readTarget(16, wire.subarray(100, 200))?.length).toBe(rest);
    expect(decoder.readTarget(16, new Uint8Array(rest))?.buffer).not.toBe(wire.buffer);
  });

  it("offers `next` even when less than minBytes is missing, so the rest is not copied", () => {
    const wire = frame(body);
    const decoder = new LengthFieldDecoder();
    decoder.decode(wire.subarray(0, 1000));
    const after = wire.subarray(1000);
    expect(decoder.readTarget(16, after)).toBe(after);
    expect(decoder.readTarget(16, new Uint8Array(100))).toBeUndefined();
    expect(decoder.decode(after)).toEqual([body]);
  });

  it("offers the frame's own buffer, not `next`, once the frame lies in two chunks", () => {
    // Only a frame in one chunk is joined with the chunk after it; from two, the rest read into
    // `next` would be copied with the rest of the frame.
    const wire = frame(body);
    const memory = wire.slice(2);
    const decoder = new LengthFieldDecoder();
    decoder.decode(wire.slice(0, 2));
    decoder.decode(memory.subarray(0, 100));
    const target = decoder.readTarget(16, memory.subarray(100))!;
    expect(target.buffer === memory.buffer).toBe(false);
    expect(target.length).toBe(wire.length - 102);
    const chunk = readInto(target, wire, 102, target.length);
    const copies = vi.spyOn(Uint8Array.prototype, "set");
    const frames = decoder.decode(chunk);
    expect(copies).not.toHaveBeenCalled();
    copies.mockRestore();
    expect(frames).toEqual([body]);
  });

  it("between frames, lays out whole frames like the last one when `next` is too short", () => {
    const wire = concat(frame(body), frame(body), frame(body), frame(body));
    const decoder = new LengthFieldDecoder();
    expect(decoder.decode(wire.subarray(0, 1004))).toEqual([body]);
    // A slab tail of 500 bytes would split the next 1004-byte frame in two and cost a copy.
    const guess = decoder.readTarget(16, new Uint8Array(500))!;
    // As many 1004-byte frames as fit in 512 KiB: none is split at the buffer's end.
    expect(guess.length).toBe(1004 * Math.floor((512 * 1024) / 1004));
    const chunk = readInto(guess, wire, 1004, 2008);
    const copies = vi.spyOn(Uint8Array.prototype, "set");
    const frames = decoder.decode(chunk);
    expect(copies).not.toHaveBeenCalled();
    copies.mockRestore();
    expect(frames).toEqual([body, body]);
    expect(frames.map((f) => f.buffer)).toEqual([guess.buffer, guess.buffer]);
    // The next read goes on in the same buffer, after the last one, never over its frames.
    const after = decoder.readTarget(16, new Uint8Array(500))!;
    expect([after.buffer, after.byteOffset]).toEqual([guess.buffer, 2008]);
    expect(decoder.decode(readInto(after, wire, 3012, 1004))).toEqual([body]);
    expect(frames).toEqual([body, body]);
  });

  it("guesses no buffer above 512 KiB, what the largest read slab keeps alive", () => {
    const decoder = new LengthFieldDecoder({ maxFrameBytes: 1 << 21 });
    decoder.decode(frame(new Uint8Array(512 * 1024 - 4)));
    expect(decoder.readTarget(16, new Uint8Array(10))?.length).toBe(512 * 1024); // one frame
    decoder.decode(frame(new Uint8Array(512 * 1024 - 3)));
    expect(decoder.readTarget(16, new Uint8Array(10))).toBeUndefined();
  });

  it("offers no such room for small frames, a long enough `next`, or no `next` at all", () => {
    const decoder = new LengthFieldDecoder();
    decoder.decode(frame(body));
    expect(decoder.readTarget(2000, new Uint8Array(500))).toBeUndefined();
    expect(decoder.readTarget(16, new Uint8Array(1004))).toBeUndefined();
    expect(decoder.readTarget(16)).toBeUndefined();
  });

  it("reads the rest of a frame that arrived short into the room it was guessed", () => {
    const wire = concat(frame(body), frame(body));
    const decoder = new LengthFieldDecoder();
    decoder.decode(wire.subarray(0, 1004));
    const guess = decoder.readTarget(16, new Uint8Array(10))!;
    expect(decoder.decode(readInto(guess, wire, 1004, 300))).toEqual([]);
    const rest = decoder.readTarget(16, new Uint8Array(10))!;
    expect([rest.buffer, rest.byteOffset, rest.length]).toEqual([
      guess.buffer,
      300,
      guess.length - 300,
    ]);
    rest.set(wire.subarray(1304));
    const frames = decoder.decode(rest.subarray(0, 704));
    expect(frames).toEqual([body]);
    expect(frames[0]!.buffer).toBe(guess.buffer);
  });

  it("lets go of a guessed buffer once it guesses no more (it may be megabytes)", async () => {
    const wire = concat(frame(body), frame(body));
    const decoder = new LengthFieldDecoder();
    decoder.decode(wire.subarray(0, 1004));
    let guess: Uint8Array | undefined = decoder.readTarget(16, new Uint8Array(10));
    const guessed = new WeakRef(guess!.buffer);
    expect(decoder.decode(readInto(guess!, wire, 1004, 1004))).toHaveLength(1);
    guess = undefined;
    // A `next` long enough: no guess now, and nothing reads into the last one again.
    expect(decoder.readTarget(16, new Uint8Array(2000))).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 0)); // a WeakRef holds until the job ends
    gc();
    expect(guessed.deref()).toBeUndefined();
  });

  it("places the bytes after a stripped header", () => {
    const wire = frame(body);
    const decoder = new LengthFieldDecoder({ initialBytesToStrip: 0 });
    decoder.decode(wire.slice(0, 2));
    expect(decoder.readTarget(0)).toBeUndefined();
    decoder.decode(wire.slice(2, 10));
    const target = decoder.readTarget(0)!;
    expect(decoder.decode(readInto(target, wire, 10, wire.length - 10))).toEqual([wire]);
  });

  it("decodes the same frames whatever mix of targeted and ordinary reads carries them", () => {
    const layout = fc.record({
      lengthFieldLength: fc.constantFrom<LengthFieldLength>(1, 2, 4),
      strip: fc.boolean(),
    });
    const reads = fc.array(
      fc.record({
        size: fc.integer({ min: 1, max: 300 }),
        min: fc.nat(64),
        inPlace: fc.boolean(),
        room: fc.nat(400),
      }),
      {
        minLength: 1,
        maxLength: 60,
      },
    );
    fc.assert(
      fc.property(
        layout,
        // Runs of frames of one size too: what readTarget's guess between frames is made for.
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 250 }),
            fc.uint8Array({ minLength: 90, maxLength: 90 }),
          ),
          { maxLength: 8 },
        ),
        reads,
        (l, bodies, plan) => {
          const max = 2 ** (8 * l.lengthFieldLength) - 1;
          const kept = bodies.filter((b) => b.length <= max);
          const wire = concat(
            ...kept.map((b) => concat(lengthBytes(b.length, l.lengthFieldLength), b)),
          );
          const decoder = new LengthFieldDecoder({
            lengthFieldLength: l.lengthFieldLength,
            initialBytesToStrip: l.strip ? l.lengthFieldLength : 0,
          });
          // The frames themselves, not copies, compared once every read is done: a read that
          // wrote over memory a frame was handed out in would show here.
          const frames: Uint8Array[] = [];
          const collect = (f: Uint8Array) => frames.push(f);
          let at = 0;
          for (let i = 0; at < wire.length; i++) {
            const step = plan[i % plan.length]!;
            // An ordinary read lands right after the previous one (a slab tail of `room` bytes) or
            // somewhere else.
            const next = step.inPlace ? wire.subarray(at, at + step.room) : undefined;
            const target = decoder.readTarget(step.min, next);
            const n = Math.min(step.size, wire.length - at, target?.length ?? Infinity);
            const chunk =
              target === undefined
                ? step.inPlace
                  ? wire.subarray(at, at + n)
                  : wire.slice(at, at + n)
                : target.buffer === wire.buffer
                  ? wire.subarray(at, at + n)
                  : readInto(target, wire, at, n);
            decoder.push(chunk, collect);
            at += n;
          }
          decoder.end();
          const expected = kept.map((b) =>
            l.strip ? b : concat(lengthBytes(b.length, l.lengthFieldLength), b),
          );
          expect(frames).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
