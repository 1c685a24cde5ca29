/**
 * Memory for small outbound encodings, carved one after another from 64 KiB slabs, never reused.
 *
 * Why not Node's `Buffer.allocUnsafe` pool: it is 8 KiB, so a 1 KiB message takes a new pool every
 * seven messages, and it aligns every slice to 8 bytes, leaving gaps. Here consecutive encodings
 * lie back to back in one slab, so the frames a connection writes in one turn are adjacent in
 * memory and its outbox hands them to the socket as one chunk (one `Writable.write`, one iovec)
 * instead of one per frame, as a raw `net.Socket` writer with one buffer per batch would.
 *
 * A slab is dropped, not rewound, when full: a slice may still be queued in a socket's buffer, so
 * it must never be written over. What a slice keeps alive is at most one slab.
 */
import { Buffer } from "node:buffer";

/** Bytes of one slab. */
export const SLAB_BYTES = 64 * 1024;
/** Larger encodings get a buffer of their own: a slab would hold only a few of them. */
export const MAX_SLAB_SLICE_BYTES = 16 * 1024;

let slab: ArrayBuffer = newSlab();
let used = 0;

/** Uninitialised memory, as Node's own pool takes it (`new ArrayBuffer` would zero it). */
export function newSlab(): ArrayBuffer {
  return Buffer.allocUnsafeSlow(SLAB_BYTES).buffer as ArrayBuffer;
}

/**
 * `n` bytes of uninitialised memory (the caller writes every byte before the slice is read):
 * right after the previous slice when it fits, else at the start of a fresh slab.
 */
export function slabBytes(n: number): Uint8Array {
  if (n > MAX_SLAB_SLICE_BYTES) return Buffer.allocUnsafe(n);
  if (used + n > SLAB_BYTES) {
    slab = newSlab();
    used = 0;
  }
  const start = used;
  used += n;
  // A plain view: constructing one costs about half of Buffer#subarray's species lookup.
  return new Uint8Array(slab, start, n);
}
