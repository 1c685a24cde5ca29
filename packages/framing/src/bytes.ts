import { Buffer } from "node:buffer";

/**
 * A plain `Uint8Array` of `length` bytes over memory of its own that is not zeroed first, for a
 * buffer the caller overwrites completely before anyone sees it (Netty's and Node's own
 * `Buffer.concat` do the same). Zeroing a 64 KiB frame costs about as much as copying it in.
 * A plain view, not a `Buffer`: `slice()` on a frame still copies, as on every other frame.
 */
export function uninitialized(length: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
}

/** `buf[start, end)` as a plain `Uint8Array` view over the same memory. */
export function view(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);
}
