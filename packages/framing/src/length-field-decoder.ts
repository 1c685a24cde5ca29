import { view } from "./bytes.js";
import { FrameLengthInvalidError, FrameTooLargeError, FrameTruncatedError } from "./errors.js";
import type { FrameDecoder, FrameHandler, FrameSpan, FrameSpanHandler } from "./frame-decoder.js";
import { GuessedReads, MAX_GUESS_BYTES } from "./guessed-reads.js";
import {
  type LengthFieldOptions,
  type ResolvedLengthFieldOptions,
  readLengthField,
  resolveLengthFieldOptions,
} from "./length-field-options.js";
import { diagnose, SNIFF_BYTES } from "./protocol-sniffer.js";
import { UnfinishedFrame } from "./unfinished-frame.js";

const EMPTY = new Uint8Array(0);
const EMPTY_BUFFER = EMPTY.buffer;

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
  /** The frame begun in one chunk and not finished yet. */
  private readonly unfinished: UnfinishedFrame;
  private firstFrame = true;
  /** Wire size of the last frame emitted (header included). */
  private lastFrameBytes = 0;
  /** Buffers laid out for a run of large frames like the last one (see readTarget). */
  private readonly guesses = new GuessedReads();
  private failure: unknown;
  /** The span of the frame being handed over (pushSpans), reused for every frame. */
  private readonly span: { -readonly [K in keyof FrameSpan]: FrameSpan[K] } = {
    bytes: EMPTY,
    buffer: EMPTY_BUFFER,
    byteOffset: 0,
    start: 0,
    end: 0,
  };
  /** push()'s handler, for {@link viewOfSpan}. */
  private onFrame: FrameHandler = ignore;
  /** push() over pushSpans: each span made a view, bound once. */
  private readonly viewOfSpan = (s: FrameSpan): void =>
    this.onFrame(new Uint8Array(s.buffer, s.byteOffset + s.start, s.end - s.start));

  /** @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule. */
  constructor(options: LengthFieldOptions = {}) {
    this.o = resolveLengthFieldOptions(options);
    this.scratch = new Uint8Array(this.o.lengthFieldLength);
    this.unfinished = new UnfinishedFrame(this.o.initialBytesToStrip);
  }

  /** Bytes of an unfinished frame held between calls (header bytes included). */
  get bufferedBytes(): number {
    return this.unfinished.pending;
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
    // Restored, not cleared: a handler may push into this decoder again (its frames go to its own
    // handler, and the rest of this chunk's to this one).
    const outer = this.onFrame;
    this.onFrame = onFrame;
    try {
      this.pushSpans(chunk, this.viewOfSpan);
    } finally {
      this.onFrame = outer;
    }
  }

  /**
   * Like {@link push}, but tells where each frame lies instead of handing over a view of it: for
   * a parser that reads in place (see {@link FrameSpan}).
   * @throws as {@link push}.
   */
  pushSpans(chunk: Uint8Array, onSpan: FrameSpanHandler): void {
    if (this.failure !== undefined) throw this.failure;
    this.guesses.noteRead(chunk);
    try {
      const pos = this.unfinished.pending > 0 ? this.continueFrame(chunk, onSpan) : 0;
      if (pos >= 0) this.decodeChunk(chunk, pos, onSpan);
    } catch (error) {
      this.failure = error;
      throw error;
    } finally {
      // The span must not hold the chunk (it may be a guessed buffer of megabytes) past the call.
      this.span.bytes = EMPTY;
      this.span.buffer = EMPTY_BUFFER;
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
    const frame = this.unfinished;
    if (this.failure !== undefined) return undefined;
    if (frame.pending === 0) return this.likeLast(minBytes, next);
    if (frame.frameBytes < 0 || frame.pending < this.o.initialBytesToStrip) return undefined;
    const missing = frame.frameBytes - frame.pending;
    // Only a frame in one chunk joins the chunk after it as one view (continueFrame); from two,
    // the rest read into `next` would be copied with the others, so the frame's own buffer wins.
    const joins = next !== undefined && frame.adjoins(next);
    if (joins && next.length >= missing) return next;
    // The rest of a frame that a read into a guessed buffer stopped short of goes after it there.
    const room = this.guesses.room(missing);
    if (room !== undefined && frame.adjoins(room)) return room;
    if (missing < minBytes) return undefined;
    return frame.rest();
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
    const frame = this.unfinished;
    if (frame.pending === 0) return;
    const inHeader = frame.frameBytes < 0;
    const sample = this.firstFrame && !frame.assembling ? this.sample(EMPTY) : EMPTY;
    this.failure = new FrameTruncatedError(
      {
        expectedBytes: inHeader ? this.o.headerBytes : frame.frameBytes,
        receivedBytes: frame.pending,
        unit: inHeader ? "frame header" : "frame",
      },
      diagnose(sample),
    );
    throw this.failure;
  }

  // The hot loop: frames wholly inside the chunk leave as spans of it, with no allocation.
  private decodeChunk(chunk: Uint8Array, start: number, onSpan: FrameSpanHandler): void {
    const { headerBytes, lengthFieldOffset, lengthFieldLength, littleEndian } = this.o;
    const strip = this.o.initialBytesToStrip;
    const end = chunk.length;
    const buffer = chunk.buffer;
    const byteOffset = chunk.byteOffset;
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
        this.unfinished.frameBytes = total;
        break;
      }
      this.handOver(onSpan, chunk, buffer, byteOffset, pos + strip, pos + total);
      this.firstFrame = false;
      this.lastFrameBytes = total;
      pos += total;
    }
    if (pos < end) this.unfinished.begin(chunk, pos);
  }

  /** Adds a chunk to the unfinished frame; returns where the rest of the chunk starts, or -1. */
  private continueFrame(chunk: Uint8Array, onSpan: FrameSpanHandler): number {
    const frame = this.unfinished;
    if (frame.adjoins(chunk)) {
      this.decodeChunk(frame.joined(chunk), 0, onSpan);
      return -1;
    }
    if (frame.frameBytes < 0) {
      if (frame.pending + chunk.length < this.o.headerBytes) {
        frame.append(chunk);
        return -1;
      }
      frame.gather(this.scratch, this.o.lengthFieldOffset, chunk);
      const value = readLengthField(this.scratch, 0, this.o.lengthFieldLength, this.o.littleEndian);
      frame.frameBytes = this.frameSize(value, chunk, 0);
    }
    const missing = frame.frameBytes - frame.pending;
    if (chunk.length < missing) {
      frame.append(chunk);
      return -1;
    }
    this.lastFrameBytes = frame.frameBytes;
    this.firstFrame = false;
    const whole = frame.finish(chunk, missing);
    this.handOver(onSpan, whole, whole.buffer, whole.byteOffset, 0, whole.length);
    return missing;
  }

  /**
   * Hands `bytes[start, end)` over as the span. Every field, every frame: a handler that pushes
   * into this decoder again reuses the span.
   */
  private handOver(
    onSpan: FrameSpanHandler,
    bytes: Uint8Array,
    buffer: ArrayBufferLike,
    byteOffset: number,
    start: number,
    end: number,
  ): void {
    const span = this.span;
    span.bytes = bytes;
    span.buffer = buffer;
    span.byteOffset = byteOffset;
    span.start = start;
    span.end = end;
    onSpan(span);
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

  /** The stream's first bytes, for protocol sniffing; empty once a frame has been decoded. */
  private sample(chunk: Uint8Array, pos = 0): Uint8Array {
    if (!this.firstFrame) return EMPTY;
    const pending = this.unfinished.pending;
    if (pending === 0) return view(chunk, pos, Math.min(chunk.length, pos + SNIFF_BYTES));
    const bytes = new Uint8Array(Math.min(SNIFF_BYTES, pending + chunk.length));
    this.unfinished.gather(bytes, 0, chunk);
    return bytes;
  }
}

function ignore(): void {}
