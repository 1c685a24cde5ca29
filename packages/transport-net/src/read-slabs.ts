import type { OnReadOpts } from "node:net";

/** Bytes of a connection's first read slab (64 KiB, what Node's own reads ask for). */
export const READ_SLAB_BYTES = 64 * 1024;

/** The largest a connection's slabs grow to while its reads keep filling them. */
export const MAX_READ_SLAB_BYTES = 512 * 1024;

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
 * Slabs adapt, as Netty's `AdaptiveRecvByteBufAllocator` does: a read that fills its whole region
 * (more was waiting) doubles the next slab, up to {@link MAX_READ_SLAB_BYTES}; a slab none of whose
 * reads filled it halves the next, down to {@link READ_SLAB_BYTES}. A frame that ends past a slab
 * is assembled by one copy, so bigger slabs on busy connections mean fewer copies (at 64 KiB
 * frames, one in eight instead of every one) and fewer reads; quiet connections keep small ones.
 *
 * One per socket; it must be passed to the socket at creation (`net.connect({ onread })`).
 * @internal
 */
export class ReadSlabs {
  #slab: Buffer = Buffer.allocUnsafeSlow(READ_SLAB_BYTES);
  /** `#slab.buffer`, kept: a typed array's `buffer` getter costs about 45 ns a read in V8. */
  #slabBuffer: ArrayBufferLike = this.#slab.buffer;
  #used = 0;
  /** Size of the next fresh slab. */
  #slabBytes = READ_SLAB_BYTES;
  /** A read since the current slab began filled its whole region. */
  #filled = false;
  #sink: ((chunk: Buffer) => void) | undefined;
  /** The owner's wish for the next read's region (`ConnectionHandlers.readTarget`). */
  #target: ((minBytes: number, next: Uint8Array) => Uint8Array | undefined) | undefined;
  #paused = true;
  /** Chunks read while paused, delivered on resume, in order. */
  #held: Buffer[] = [];
  #flushScheduled = false;

  /** The `onread` option for `net.connect` / `new net.Socket`. */
  readonly onread: OnReadOpts = {
    buffer: () => this.#nextRegion(),
    callback: (bytesRead, region) => this.#deliver(bytesRead, region),
  };

  /**
   * Where chunks go once {@link resume}d. Starts paused. `target`, when given, may name the region
   * the next read fills (the rest of a large frame, read where it will be used).
   */
  attach(
    sink: (chunk: Buffer) => void,
    target?: (minBytes: number, next: Uint8Array) => Uint8Array | undefined,
  ): void {
    this.#sink = sink;
    this.#target = target;
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

  /**
   * Node calls it once at creation and again after each read: the region the next read fills. The
   * owner's target only while every chunk read so far has been delivered: bytes still held would
   * reach the owner after the ones read into its target, and land on top of them. The owner sees
   * the slab's tail too: when its unfinished frame ends where the tail begins and the tail holds
   * the rest, the frame completes in the slab as one view, with no buffer of its own.
   */
  #nextRegion(): Uint8Array {
    const tail = this.#slab.subarray(this.#used);
    const wanted =
      this.#paused || this.#held.length > 0 ? undefined : this.#target?.(MIN_READ_BYTES, tail);
    // An empty region would make the read fail (ENOBUFS): read as usual instead.
    if (wanted !== undefined && wanted.length > 0) return wanted;
    if (tail.length >= MIN_READ_BYTES) return tail;
    this.#freshSlab();
    return this.#slab.subarray(0);
  }

  #freshSlab(): void {
    const size = this.#filled ? this.#slabBytes * 2 : this.#slabBytes / 2;
    this.#slabBytes = Math.min(MAX_READ_SLAB_BYTES, Math.max(READ_SLAB_BYTES, size));
    this.#slab = Buffer.allocUnsafeSlow(this.#slabBytes);
    this.#slabBuffer = this.#slab.buffer;
    this.#used = 0;
    this.#filled = false;
  }

  /** Returns false to make Node stop reading (paused, or held chunks still to deliver first). */
  #deliver(bytesRead: number, region: Uint8Array): boolean {
    const buffer = region.buffer;
    const chunk = Buffer.from(buffer, region.byteOffset, bytesRead);
    // A region is the owner's target or the current slab's tail (#nextRegion made it, and only it
    // changes the slab): from the slab, what was read is taken.
    if (buffer === this.#slabBuffer) {
      this.#used += bytesRead;
      if (bytesRead === region.length) this.#filled = true;
    }
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
