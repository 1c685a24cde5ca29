import { uninitialized, view } from "./bytes.js";
import { FrameLengthInvalidError, FrameTooLargeError, FrameTruncatedError } from "./errors.js";
import type { FrameDecoder, FrameHandler } from "./frame-decoder.js";
import { GuessedReads, MAX_GUESS_BYTES } from "./guessed-reads.js";
import {
  type LengthFieldOptions,
  type ResolvedLengthFieldOptions,
  readLengthField,
  resolveLengthFieldOptions,
} from "./length-field-options.js";
import { diagnose, SNIFF_BYTES } from "./protocol-sniffer.js";

// Past this many buffered chunks a frame is assembled in place instead: a peer trickling 1-byte
// chunks must not make us hold one object per byte (about 100x the frame size in headers).
const MAX_PENDING_CHUNKS = 32;
const EMPTY = new Uint8Array(0);

/**
 * Splits a byte stream into frames by a length field (Netty's `LengthFieldBasedFrameDecoder`,
 * tokio-util's `LengthDelimitedCodec`). With no options: a 4-byte big-endian payload length, and
 * each frame is the payload.
 *
 * Frames are views: a frame lying inside one chunk is a `Uint8Array` over that chunk's memory (zero
 * copy), so keep the chunk unmodified while you use the frame. A frame spanning chunks that lie
 * back to back in one buffer is one view over them; any other is copied once, into a buffer of
 * exactly its size, when its last byte arrives.
 *
 * @example
 * const decoder = new LengthFieldDecoder({ maxFrameBytes: 1 << 20 });
 * socket.on("data", (chunk) => decoder.push(chunk, (frame) => handle(frame)));
 * socket.on("end", () => decoder.end());
 */
export class LengthFieldDecoder implements FrameDecoder {
  private readonly o: ResolvedLengthFieldOptions;
  private readonly scratch: Uint8Array;
  /** Chunks holding the unfinished frame; the first one from `partsStart`. */
  private readonly parts: Uint8Array[] = [];
  private partsStart = 0;
  /** Bytes of the unfinished frame received so far, header included. */
  private pending = 0;
  /** Wire size of the unfinished frame once its length field was read, else -1. */
  private frameBytes = -1;
  /** The output buffer, once a frame arrives in too many chunks to keep them as a list. */
  private assembly: Uint8Array | undefined;
  private firstFrame = true;
  /** Wire size of the last frame emitted (header included). */
  private lastFrameBytes = 0;
  /** Buffers laid out for a run of large frames like the last one (see readTarget). */
  private readonly guesses = new GuessedReads();
  private failure: unknown;

  /** @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule. */
  constructor(options: LengthFieldOptions = {}) {
    this.o = resolveLengthFieldOptions(options);
    this.scratch = new Uint8Array(this.o.lengthFieldLength);
  }

  /** Bytes of an unfinished frame held between calls (header bytes included). */
  get bufferedBytes(): number {
    return this.pending;
  }

  /**
   * Feeds a chunk; calls `onFrame` synchronously for each complete frame, in order. Allocates
   * nothing but the frames it emits.
   * @throws {FrameTooLargeError} FRAME_TOO_LARGE when a length field declares more than
   *   `maxFrameBytes` (checked before any byte of that frame's body is buffered).
   * @throws {FrameLengthInvalidError} FRAME_LENGTH_INVALID when a length is impossible for the layout.
   * After a throw (including one from `onFrame`) the decoder rethrows the same error on every call.
   */
  push(chunk: Uint8Array, onFrame: FrameHandler): void {
    if (this.failure !== undefined) throw this.failure;
    this.guesses.noteRead(chunk);
    try {
      const pos = this.pending > 0 ? this.continueFrame(chunk, onFrame) : 0;
      if (pos >= 0) this.decodeChunk(chunk, pos, onFrame);
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  /**
   * Where the next read should put its bytes so that the unfinished frame needs no assembly copy:
   * the rest of the frame's own buffer (allocated now, the bytes so far copied in once). Push the
   * bytes read there as usual: a chunk that lies exactly where the frame wants it is not copied
   * again. Netty's `RecvByteBufAllocator` guesses the next read's size; here the length field says
   * it. When `next` (where the read would go otherwise) starts right where the frame's bytes end
   * and holds its rest, `next` itself: read there, the frame is one view over both reads, with
   * nothing allocated or copied. Between frames, when `next` is too short for a frame the size of
   * the last one and that size is at least `minBytes`, room in a buffer laid out for whole frames
   * of that size, read into one after another ({@link GuessedReads}): a run of equal large frames
   * then never has one split across two regions and copied; when a read there stopped inside a
   * frame, the room after it, if it holds the frame's rest. `undefined` while no frame is
   * unfinished past its header, or fewer than `minBytes` of it are missing (a small rest is
   * cheaper to copy than to read alone).
   *
   * The region stays valid only until the next `push`: ask again after each one, and push every
   * byte in order (a chunk read elsewhere before this region is filled would be written over).
   */
  readTarget(minBytes: number, next?: Uint8Array): Uint8Array | undefined {
    const strip = this.o.initialBytesToStrip;
    if (this.failure !== undefined) return undefined;
    if (this.pending === 0) return this.likeLast(minBytes, next);
    if (this.frameBytes < 0 || this.pending < strip) return undefined;
    const missing = this.frameBytes - this.pending;
    // Only a frame in one chunk joins the chunk after it as one view (continueFrame); from two,
    // the rest read into `next` would be copied with the others, so the frame's own buffer wins.
    const joins = next !== undefined && this.parts.length === 1 && this.adjoins(next);
    if (joins && next.length >= missing) return next;
    // The rest of a frame that a read into a guessed buffer stopped short of goes after it there.
    const room = this.guesses.room(missing);
    if (room !== undefined && this.parts.length === 1 && this.adjoins(room)) return room;
    if (missing < minBytes) return undefined;
    if (this.assembly === undefined) this.startAssembly();
    return this.assembly!.subarray(this.pending - strip);
  }

  /** Room for frames like the last one when `next` has too little: see {@link readTarget}. */
  private likeLast(minBytes: number, next: Uint8Array | undefined): Uint8Array | undefined {
    const size = this.lastFrameBytes;
    if (next === undefined || size < minBytes || size > MAX_GUESS_BYTES || next.length >= size) {
      // Not a run of large frames (any more): let go of the guessed buffer.
      this.guesses.release();
      return undefined;
    }
    return this.guesses.room(size) ?? this.guesses.fresh(size);
  }

  /**
   * Feeds a chunk and returns its frames as an array (convenience for tests and adapters).
   * @throws {FramingError} as {@link LengthFieldDecoder.push}.
   */
  decode(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    this.push(chunk, (frame) => {
      frames.push(frame);
    });
    return frames;
  }

  /**
   * Declares end of stream. Does nothing when the stream ended on a frame boundary.
   * @throws {FrameTruncatedError} FRAME_TRUNCATED with `expectedBytes`/`receivedBytes` when part of
   *   a frame is buffered.
   */
  end(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.pending === 0) return;
    const inHeader = this.frameBytes < 0;
    const sample = this.firstFrame && this.assembly === undefined ? this.sample(EMPTY) : EMPTY;
    this.failure = new FrameTruncatedError(
      {
        expectedBytes: inHeader ? this.o.headerBytes : this.frameBytes,
        receivedBytes: this.pending,
        unit: inHeader ? "frame header" : "frame",
      },
      diagnose(sample),
    );
    throw this.failure;
  }

  // The hot loop: frames wholly inside the chunk leave as views, with no other allocation.
  private decodeChunk(chunk: Uint8Array, start: number, onFrame: FrameHandler): void {
    const { headerBytes, lengthFieldOffset, lengthFieldLength, littleEndian } = this.o;
    const strip = this.o.initialBytesToStrip;
    const end = chunk.length;
    const buffer = chunk.buffer;
    const base = chunk.byteOffset;
    let pos = start;
    while (end - pos >= headerBytes) {
      const value = readLengthField(
        chunk,
        pos + lengthFieldOffset,
        lengthFieldLength,
        littleEndian,
      );
      const total = this.frameSize(value, chunk, pos);
      if (end - pos < total) {
        this.frameBytes = total;
        break;
      }
      // A plain Uint8Array view: 2-3x cheaper than Buffer#subarray (no species lookup).
      onFrame(new Uint8Array(buffer, base + pos + strip, total - strip));
      this.firstFrame = false;
      this.lastFrameBytes = total;
      pos += total;
    }
    if (pos < end) {
      this.parts.push(chunk);
      this.partsStart = pos;
      this.pending = end - pos;
    }
  }

  /** Adds a chunk to the unfinished frame; returns where the rest of the chunk starts, or -1. */
  private continueFrame(chunk: Uint8Array, onFrame: FrameHandler): number {
    if (this.parts.length === 1 && this.adjoins(chunk)) {
      this.decodeChunk(this.joined(chunk), 0, onFrame);
      return -1;
    }
    if (this.frameBytes < 0) {
      if (this.pending + chunk.length < this.o.headerBytes) {
        this.append(chunk);
        return -1;
      }
      this.gather(this.scratch, this.o.lengthFieldOffset, chunk);
      const value = readLengthField(this.scratch, 0, this.o.lengthFieldLength, this.o.littleEndian);
      this.frameBytes = this.frameSize(value, chunk, 0);
    }
    const missing = this.frameBytes - this.pending;
    if (chunk.length < missing) {
      this.append(chunk);
      return -1;
    }
    onFrame(this.assemble(chunk, missing));
    return missing;
  }

  /** Validates a length field value; returns the frame's wire size. */
  private frameSize(value: number, chunk: Uint8Array, pos: number): number {
    const o = this.o;
    const body = value + o.adjustment;
    if (value > Number.MAX_SAFE_INTEGER || body > o.maxFrameBytes) {
      throw new FrameTooLargeError(
        { declaredBytes: body, maxFrameBytes: o.maxFrameBytes, direction: "decode" },
        diagnose(this.sample(chunk, pos)),
      );
    }
    const total = o.headerBytes + body;
    if (body < 0 || total < o.initialBytesToStrip) {
      const rule =
        body < 0
          ? `lengthAdjustment (${o.adjustment}) makes the body ${body} bytes`
          : `the frame is ${total} bytes, fewer than initialBytesToStrip (${o.initialBytesToStrip})`;
      throw new FrameLengthInvalidError(
        `length field value ${value} is impossible: ${rule}; check lengthAdjustment, ` +
          "lengthIncludesHeader and initialBytesToStrip against the peer's layout",
        value,
        diagnose(this.sample(chunk, pos)),
      );
    }
    return total;
  }

  /**
   * Whether `chunk` lies in memory right after the unfinished frame's bytes: a reader that fills one
   * buffer read after read (transport-net's slabs, Node's 8 KiB pool) hands over such chunks.
   */
  private adjoins(chunk: Uint8Array): boolean {
    const last = this.parts[this.parts.length - 1];
    return (
      last !== undefined &&
      this.assembly === undefined &&
      last.buffer === chunk.buffer &&
      last.byteOffset + last.length === chunk.byteOffset
    );
  }

  /** The unfinished frame's one chunk and the adjoining `chunk` as one view; the frame starts anew. */
  private joined(chunk: Uint8Array): Uint8Array {
    const first = this.parts[0]!;
    const start = first.byteOffset + this.partsStart;
    this.parts.length = 0;
    const length = this.pending + chunk.length;
    this.pending = 0;
    this.frameBytes = -1;
    return new Uint8Array(chunk.buffer, start, length);
  }

  private append(chunk: Uint8Array): void {
    if (this.assembly !== undefined) {
      this.place(chunk, chunk.length, this.pending);
    } else {
      this.parts.push(chunk);
      if (this.parts.length >= MAX_PENDING_CHUNKS) this.compact();
    }
    this.pending += chunk.length;
  }

  /** Collapses the chunk list: into the output buffer if the size is known, else into one chunk. */
  private compact(): void {
    if (this.frameBytes >= 0) {
      this.startAssembly();
      return;
    }
    const head = new Uint8Array(this.pending + this.parts[this.parts.length - 1]!.length);
    this.gather(head, 0, EMPTY);
    this.parts.length = 0;
    this.parts.push(head);
    this.partsStart = 0;
  }

  private startAssembly(): void {
    // Every byte is placed before the frame is emitted: no need to zero it first.
    this.assembly = uninitialized(this.frameBytes - this.o.initialBytesToStrip);
    let at = 0;
    for (let i = 0; i < this.parts.length; i++) {
      const from = i === 0 ? this.partsStart : 0;
      const part = i === 0 ? view(this.parts[0]!, from, this.parts[0]!.length) : this.parts[i]!;
      this.place(part, part.length, at);
      at += part.length;
    }
    this.parts.length = 0;
  }

  /** Completes the unfinished frame with the first `missing` bytes of `chunk`: the one copy. */
  private assemble(chunk: Uint8Array, missing: number): Uint8Array {
    if (this.assembly === undefined) this.startAssembly();
    this.place(chunk, missing, this.pending);
    const frame = this.assembly!;
    this.assembly = undefined;
    this.pending = 0;
    this.lastFrameBytes = this.frameBytes;
    this.frameBytes = -1;
    this.firstFrame = false;
    return frame;
  }

  /** Copies `src[0, count)`, which sits at `frameOffset` in the frame, minus the stripped prefix. */
  private place(src: Uint8Array, count: number, frameOffset: number): void {
    const strip = this.o.initialBytesToStrip;
    const skip = Math.max(0, Math.min(strip - frameOffset, count));
    if (skip >= count) return;
    const at = frameOffset + skip - strip;
    const out = this.assembly!;
    // Read straight into place (readTarget): nothing to copy.
    if (src.buffer === out.buffer && src.byteOffset + skip === out.byteOffset + at) return;
    // A whole chunk (the trickling-peer case) needs no view allocated around it.
    if (skip === 0 && count === src.length) out.set(src, at);
    else out.set(view(src, skip, count), at);
  }

  /** Fills `target` with the unfinished frame's bytes from `from` on, then with `chunk`'s. */
  private gather(target: Uint8Array, from: number, chunk: Uint8Array): void {
    let at = 0;
    const n = this.parts.length;
    for (let i = 0; i <= n && at < from + target.length; i++) {
      const src = i < n ? this.parts[i]! : chunk;
      const start = i === 0 && n > 0 ? this.partsStart : 0;
      const len = src.length - start;
      const lo = Math.max(at, from);
      const hi = Math.min(at + len, from + target.length);
      if (lo < hi) target.set(view(src, start + lo - at, start + hi - at), lo - from);
      at += len;
    }
  }

  /** The stream's first bytes, for protocol sniffing; empty once a frame has been decoded. */
  private sample(chunk: Uint8Array, pos = 0): Uint8Array {
    if (!this.firstFrame) return EMPTY;
    if (this.pending === 0) return view(chunk, pos, Math.min(chunk.length, pos + SNIFF_BYTES));
    const bytes = new Uint8Array(Math.min(SNIFF_BYTES, this.pending + chunk.length));
    this.gather(bytes, 0, chunk);
    return bytes;
  }
}
