/**
 * Memory for the frames of stream items on one connection, reused once the socket has taken them.
 *
 * Why: a server stream encodes every item into fresh memory (the codec's shared slabs are never
 * rewound, since anything encoded there may still be referenced). At 1 KiB items that is a new
 * 64 KiB slab every ~60 items: an allocation, its garbage collection, and a first write to memory
 * no cache holds, about a tenth of an item's whole cost (`npm run bench:streams`). Here the frames
 * are carved from a few slabs that go back to the start once every byte written so far has left
 * for the kernel ({@link FrameSlabs.rewind}, called when the connection has no bytes buffered and
 * the outbox none queued), so a steady stream writes the same warm memory over and over, as a raw
 * `net.Socket` writer reusing its buffer would.
 *
 * Only a connection whose writes are copied out (`Connection.copiesWrites`: TCP and Unix sockets)
 * gets one; the frames carved here go nowhere but to its outbox.
 */
import { Buffer } from "node:buffer";
// The codec's slab sizes and allocation: the same memory, only rewound here.
import { MAX_SLAB_SLICE_BYTES, newSlab, SLAB_BYTES } from "@parley/codec/internal";

/** Slabs kept across a rewind; a turn that needs more gets fresh ones, dropped at the rewind. */
const KEPT_SLABS = 4;

/** Rewindable frame memory for one connection's stream items. */
export class FrameSlabs {
  /** Slabs in use since the last rewind, in order; `slabs[current]` is being filled. */
  private slabs: ArrayBuffer[] = [];
  private current = -1;
  private used = SLAB_BYTES;

  /** `n` bytes of uninitialised memory; the caller writes every one before the frame is sent. */
  readonly alloc = (n: number): Uint8Array => {
    if (n > MAX_SLAB_SLICE_BYTES) return Buffer.allocUnsafe(n);
    if (this.used + n > SLAB_BYTES) this.nextSlab();
    const start = this.used;
    this.used += n;
    return new Uint8Array(this.slabs[this.current]!, start, n);
  };

  /**
   * Every frame carved so far has been written and copied out: the memory may be used again.
   * Keeps at most {@link KEPT_SLABS} slabs for the next turn.
   */
  rewind(): void {
    if (this.current < 0) return;
    if (this.slabs.length > KEPT_SLABS) this.slabs.length = KEPT_SLABS;
    this.current = -1;
    this.used = SLAB_BYTES;
  }

  /** Drops every slab (no stream is open): an idle connection keeps none. */
  release(): void {
    this.slabs = [];
    this.current = -1;
    this.used = SLAB_BYTES;
  }

  private nextSlab(): void {
    this.current++;
    if (this.current === this.slabs.length) this.slabs.push(newSlab());
    this.used = 0;
  }
}
