import { describe, expect, it } from "vitest";
import { MAX_SLAB_SLICE_BYTES, SLAB_BYTES, slabBytes } from "../src/byte-slab.js";
import { createMsgpackCodec } from "../src/index.js";

/** Moves to a fresh slab: returns its first slice, of MAX_SLAB_SLICE_BYTES bytes. */
function freshSlab(): Uint8Array {
  for (;;) {
    const slice = slabBytes(MAX_SLAB_SLICE_BYTES);
    if (slice.byteOffset === 0) return slice;
  }
}

describe("slabBytes", () => {
  it("carves consecutive slices back to back from one slab", () => {
    freshSlab();
    const a = slabBytes(100);
    const b = slabBytes(37);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 100);
    expect(b.byteLength).toBe(37);
  });

  it("starts a fresh slab when a slice does not fit, and never hands out the same bytes twice", () => {
    const first = freshSlab();
    const rest = SLAB_BYTES - MAX_SLAB_SLICE_BYTES;
    const slices = Array.from({ length: rest / MAX_SLAB_SLICE_BYTES }, () =>
      slabBytes(MAX_SLAB_SLICE_BYTES),
    );
    for (const slice of slices) expect(slice.buffer).toBe(first.buffer); // exactly full now
    const next = slabBytes(11);
    expect(next.buffer).not.toBe(first.buffer);
    expect(next.byteOffset).toBe(0);
  });

  it("gives large encodings a buffer of their own", () => {
    const small = slabBytes(8);
    const large = slabBytes(MAX_SLAB_SLICE_BYTES + 1);
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.byteLength).toBe(MAX_SLAB_SLICE_BYTES + 1);
  });

  it("lets two byte-string encodings with reserved room follow each other in memory", () => {
    const codec = createMsgpackCodec();
    const one = codec.encodeReserved(new Uint8Array(1_000).fill(1), 11);
    const two = codec.encodeReserved(new Uint8Array(500).fill(2), 11);
    expect(Array.from(one.subarray(0, 11))).toEqual(new Array(11).fill(0)); // reserve zeroed
    expect(Array.from(codec.decode(one.subarray(11)) as Uint8Array)).toEqual(
      new Array(1_000).fill(1),
    );
    if (two.buffer === one.buffer) expect(two.byteOffset).toBe(one.byteOffset + one.byteLength);
    else expect(two.byteOffset).toBe(0); // the first slice ended a slab
  });
});
