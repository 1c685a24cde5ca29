import type { OnReadOpts } from "node:net";

/** Bytes of one read slab (64 KiB, the most a socket read asks for). */
export const READ_SLAB_BYTES = 64 * 1024;

/** A read goes into the current slab's free tail only while at least this much is left. */
export const MIN_READ_BYTES = 16 * 1024;

/**
 * Where a socket created with `onread` reads to: consecutive regions of one slab, a fresh slab when
 * the free tail gets short. Node's default read path allocates a 64 KiB buffer for every read and
 * shrinks it to what arrived (a malloc, a realloc and a new ArrayBuffer per read), then runs the
 * chunk through the stream machinery; here a read costs a view, and the chunk goes straight to the
 * connection. The same idea as Netty's pooled receive buffers and Node's own 8 KiB Buffer pool.
 *
 * A region is never written twice: a delivered chunk stays valid for as long as anyone holds it,
 * as the `Connection` contract requires. The price is that holding a small chunk (or a frame viewing
 * it) keeps its whole slab alive, as a frame sharing a 64 KiB read with others always did.
 *
 * One per socket; it must be passed to the socket at creation (`net.connect({ onread })`).
 * @internal
 */
export class ReadSlabs {
  #slab: Buffer = Buffer.allocUnsafeSlow(READ_SLAB_BYTES);
  #used = 0;
  #sink: ((chunk: Buffer) => void) | undefined;
  #paused = true;
  /** Chunks read while paused, delivered on resume, in order. */
  #held: Buffer[] = [];
  #flushScheduled = false;

  /** The `onread` option for `net.connect` / `new net.Socket`. */
  readonly onread: OnReadOpts = {
    buffer: () => this.#nextRegion(),
    callback: (bytesRead, region) => this.#deliver(bytesRead, region as Buffer),
  };

  /** Where chunks go once {@link resume}d. Starts paused. */
  attach(sink: (chunk: Buffer) => void): void {
    this.#sink = sink;
  }

  /**
   * Holds chunks instead of delivering them. Needed beside `socket.pause()`: a socket that was
   * resumed in the same tick starts reading again on its own (the stream's deferred `resume`
   * calls `read(0)`), and with `onread` nothing else would stop the bytes.
   */
  pause(): void {
    this.#paused = true;
  }

  /** Delivers held chunks (on the next tick, never inside the caller), then chunks as they come. */
  resume(): void {
    this.#paused = false;
    if (this.#held.length > 0 && !this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flushHeld);
    }
  }

  /** Node calls it once at creation and again after each read: the region the next read fills. */
  #nextRegion(): Buffer {
    if (READ_SLAB_BYTES - this.#used < MIN_READ_BYTES) {
      this.#slab = Buffer.allocUnsafeSlow(READ_SLAB_BYTES);
      this.#used = 0;
    }
    return this.#slab.subarray(this.#used);
  }

  /** Returns false to make Node stop reading (paused, or held chunks still to deliver first). */
  #deliver(bytesRead: number, region: Buffer): boolean {
    const chunk = region.subarray(0, bytesRead);
    // The region is always the current slab's tail (#nextRegion made it): what was read is taken.
    this.#used += bytesRead;
    if (this.#paused || this.#held.length > 0 || this.#sink === undefined) {
      this.#held.push(chunk);
      return false;
    }
    this.#sink(chunk);
    return !this.#paused;
  }

  readonly #flushHeld = (): void => {
    this.#flushScheduled = false;
    while (this.#held.length > 0 && !this.#paused && this.#sink !== undefined) {
      this.#sink(this.#held.shift()!);
    }
  };
}
