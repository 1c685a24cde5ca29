/**
 * FrameSlabs: frames carved back to back from 64 KiB slabs, the same memory handed out again after
 * a rewind (a few slabs of it, not more), none kept after a release or a run of quiet rewinds, and
 * large frames given buffers of their own.
 */
import { describe, expect, it } from "vitest";
import { FrameSlabs, QUIET_REWINDS } from "../src/frame-slabs.js";

const SLAB = 64 * 1024;
/** The largest frame carved from a slab: four fill one. */
const SLICE = 16 * 1024;
/** Whether two frames lie in the same memory (compared as booleans: a failing toBe of two
 * 64 KiB buffers would print them). */
const same = (a: Uint8Array, b: Uint8Array): boolean => a.buffer === b.buffer;

describe("FrameSlabs", () => {
  it("carves frames back to back in one slab, and starts a new slab when one is full", () => {
    const slabs = new FrameSlabs();
    const a = slabs.alloc(1_000);
    const b = slabs.alloc(2_000);
    expect(same(b, a)).toBe(true);
    expect(b.byteOffset).toBe(a.byteOffset + a.byteLength);
    expect(a.buffer.byteLength).toBe(SLAB);
    const fill = [SLICE, SLICE, SLICE, SLAB - 3 * SLICE - 3_000].map((n) => slabs.alloc(n));
    expect(fill.every((f) => same(f, a))).toBe(true);
    const next = slabs.alloc(1);
    expect(same(next, a)).toBe(false);
    expect(next.byteOffset).toBe(0);
  });

  it("hands the same memory out again after a rewind, slab by slab, keeping at most four", () => {
    const slabs = new FrameSlabs();
    // Six slabs' worth of frames, four to a slab.
    const firsts = Array.from({ length: 24 }, () => slabs.alloc(SLICE));
    slabs.rewind();
    const again = Array.from({ length: 24 }, () => slabs.alloc(SLICE));
    for (let i = 0; i < 16; i++) {
      expect(same(again[i]!, firsts[i]!), `frame ${i}`).toBe(true);
      expect(again[i]!.byteOffset).toBe(firsts[i]!.byteOffset);
    }
    // The fifth and sixth slabs were dropped at the rewind: fresh memory now.
    for (let i = 16; i < 24; i++) expect(same(again[i]!, firsts[i]!), `frame ${i}`).toBe(false);
  });

  it("a rewind before anything was carved changes nothing; a release keeps no slab", () => {
    const slabs = new FrameSlabs();
    slabs.rewind();
    const a = slabs.alloc(10);
    slabs.release();
    const b = slabs.alloc(10);
    expect(same(b, a)).toBe(false);
    expect(b.byteOffset).toBe(0);
  });

  it("lets every slab go after QUIET_REWINDS rewinds in a row with nothing carved, and not before", () => {
    const slabs = new FrameSlabs();
    const first = slabs.alloc(10);
    slabs.rewind(); // something was carved: kept
    for (let i = 1; i < QUIET_REWINDS; i++) slabs.rewind();
    expect(slabs.heldSlabs).toBe(1);
    // A carve in between starts the count again.
    expect(same(slabs.alloc(10), first)).toBe(true);
    for (let i = 0; i < QUIET_REWINDS; i++) slabs.rewind();
    expect(slabs.heldSlabs).toBe(1);
    slabs.rewind();
    expect(slabs.heldSlabs).toBe(0);
    expect(same(slabs.alloc(10), first)).toBe(false);
  });

  it("keeps at most four slabs however long no rewind comes (the socket never empty at a flush)", () => {
    const slabs = new FrameSlabs();
    const frames = Array.from({ length: 400 }, () => slabs.alloc(SLICE)); // 100 slabs' worth
    expect(slabs.heldSlabs).toBe(4);
    // The frames past the kept slabs still lie in slabs of their own, four to a slab.
    expect(same(frames[399]!, frames[396]!)).toBe(true);
    expect(same(frames[399]!, frames[395]!)).toBe(false);
    slabs.rewind();
    expect(same(slabs.alloc(SLICE), frames[0]!)).toBe(true);
  });

  it("gives a frame over 16 KiB a buffer of its own, outside the slabs", () => {
    const slabs = new FrameSlabs();
    const small = slabs.alloc(100);
    const large = slabs.alloc(SLICE + 1);
    expect(large.byteLength).toBe(SLICE + 1);
    expect(same(large, small)).toBe(false);
    expect(slabs.alloc(100).byteOffset).toBe(100); // the slab goes on where it was
  });
});
