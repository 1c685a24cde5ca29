import { uninitialized } from "./bytes.js";

/**
 * The largest buffer guessed for frames like the last one: what transport-net's largest read slab
 * keeps alive when one small frame read into it is kept. Larger frames are read as before.
 */
export const MAX_GUESS_BYTES = 512 * 1024;

/**
 * Read buffers a length-field decoder lays out for a run of large frames of one size, when the
 * reader's own region (a slab's tail) is too short for the next one: as many whole frames of that
 * size as fit in {@link MAX_GUESS_BYTES}, read into one after another like a slab, so no frame of
 * the run is split across two regions and copied, and none is wasted at the buffer's end. Netty's
 * adaptive receive allocator sizes the next read from the last ones in the same way.
 *
 * Memory safety: a region handed out always starts where the last read into the buffer ended, so
 * no read lands on bytes delivered before it (frames are views of them).
 */
export class GuessedReads {
  #buffer: ArrayBuffer | undefined;
  /** Where the last read into `#buffer` ended. */
  #end = 0;

  /** Notes a chunk the decoder was given: a read into the buffer moves its end. */
  noteRead(chunk: Uint8Array): void {
    if (this.#buffer === undefined || chunk.buffer !== this.#buffer) return;
    this.#end = chunk.byteOffset + chunk.length;
  }

  /** The buffer's free room after its last read, when at least `bytes` long. */
  room(bytes: number): Uint8Array | undefined {
    const buffer = this.#buffer;
    if (buffer === undefined || buffer.byteLength - this.#end < bytes) return undefined;
    return new Uint8Array(buffer, this.#end, buffer.byteLength - this.#end);
  }

  /** A fresh buffer for whole frames of `frameBytes`: as many as fit, and at least one. */
  fresh(frameBytes: number): Uint8Array {
    const frames = Math.max(1, Math.floor(MAX_GUESS_BYTES / frameBytes));
    const region = uninitialized(frames * frameBytes);
    this.#buffer = region.buffer as ArrayBuffer;
    this.#end = 0;
    return region;
  }

  /** Lets go of the buffer (the run ended): it may be large, and frames keep what they view. */
  release(): void {
    this.#buffer = undefined;
  }
}
