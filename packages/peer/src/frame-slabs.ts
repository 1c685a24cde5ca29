/**
 * Memory for the frames a connection writes with byte-string bodies (requests, responses, stream
 * items and inputs), reused once the socket has taken them.
 *
 * Why: the codec's shared slabs are never rewound (anything encoded there may still be referenced),
 * so every such frame went into fresh memory. At 1 KiB bodies that is a new 64 KiB slab every ~60
 * frames: an allocation, its garbage collection, and a first write to memory no cache holds, about
 * a tenth of a stream item's whole cost (`npm run bench:streams`) and 12-19% of a 1 KiB call's,
 * both ends, at concurrency 256 (benchmarks/README.md). Here the frames are carved from a few slabs
 * that go back to the start once every byte written so far has left for the kernel
 * ({@link FrameSlabs.rewind}, called when the connection has no bytes buffered and the outbox none
 * queued), so a busy connection writes the same warm memory over and over, as a raw `net.Socket`
 * writer reusing its buffer would.
 *
 * What it holds: nothing until the first such frame; then one 64 KiB slab, up to four kept across
 * rewinds while turns need them (a turn of 256 calls with 1 KiB bodies fills four). A connection
 * that writes {@link QUIET_REWINDS} times in a row without one (a heartbeat's Pings count) lets
 * every slab go, as its transport's read slabs shrink when reads stop filling them.
 *
 * Only a connection whose writes are copied out (`Connection.copiesWrites`: TCP and Unix sockets)
 * gets one; the frames carved here go nowhere but to its outbox.
 */
import { Buffer } from "node:buffer";
// The codec's slab sizes and allocation: the same memory, only rewound here.
import { MAX_SLAB_SLICE_BYTES, newSlab, SLAB_BYTES } from "@parley/codec/internal";

/** Slabs kept for reuse; a turn that needs more gets fresh ones, never kept. */
const KEPT_SLABS = 4;
/** Rewinds in a row with nothing carved before the slabs are let go. */
export const QUIET_REWINDS = 4;

/** Rewindable frame memory for one connection. */
export class FrameSlabs {
  /**
   * The slabs reused after a rewind, at most {@link KEPT_SLABS}, in order. A turn that needs more
   * fills fresh slabs that are not kept here, so what this holds stays bounded even when the
   * socket is never empty at a flush (and no rewind comes) for a long time: those are garbage once
   * the socket has written them.
   */
  private slabs: ArrayBuffer[] = [];
  /** Slabs begun since the last rewind, less one: `slabs[current]` is being filled, if kept. */
  private current = -1;
  /** The slab being filled. */
  private slab: ArrayBuffer | undefined;
  private used = SLAB_BYTES;
  /** Rewinds in a row with nothing carved since the one before. */
  private quiet = 0;

  /** `n` bytes of uninitialised memory; the caller writes every one before the frame is sent. */
  readonly alloc = (n: number): Uint8Array => {
    if (n > MAX_SLAB_SLICE_BYTES) return Buffer.allocUnsafe(n);
    if (this.used + n > SLAB_BYTES) this.nextSlab();
    const start = this.used;
    this.used += n;
    return new Uint8Array(this.slab!, start, n);
  };

  /**
   * Every frame carved so far has been written and copied out: the kept slabs may be used again.
   * None are kept after {@link QUIET_REWINDS} rewinds in a row with nothing carved.
   */
  rewind(): void {
    if (this.current < 0) {
      if (this.slabs.length > 0 && ++this.quiet >= QUIET_REWINDS) this.release();
      return;
    }
    this.quiet = 0;
    this.current = -1;
    this.slab = undefined;
    this.used = SLAB_BYTES;
  }

  /** Drops every slab: a quiet connection keeps none. */
  release(): void {
    this.slabs = [];
    this.current = -1;
    this.slab = undefined;
    this.used = SLAB_BYTES;
    this.quiet = 0;
  }

  /** Slabs kept for reuse now (for tests). */
  get heldSlabs(): number {
    return this.slabs.length;
  }

  private nextSlab(): void {
    this.current++;
    if (this.current < KEPT_SLABS) {
      if (this.current === this.slabs.length) this.slabs.push(newSlab());
      this.slab = this.slabs[this.current]!;
    } else {
      this.slab = newSlab();
    }
    this.used = 0;
  }
}
