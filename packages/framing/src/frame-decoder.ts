/** Receives each decoded frame, synchronously and in order. */
export type FrameHandler = (frame: Uint8Array) => void;

/**
 * Where a decoded frame lies, for {@link LengthFieldDecoder.pushSpans}: its payload (what `push`
 * hands over as a frame) is `bytes[start, end)`. No view of it is made: a parser that reads the
 * header in place and makes one view of the body saves a typed array per frame. The object is the
 * decoder's own, reused for every frame: read it during the call, never keep it.
 */
export interface FrameSpan {
  /** The bytes holding the frame: the chunk pushed, or the frame assembled from several. */
  readonly bytes: Uint8Array;
  /**
   * `bytes.buffer` and `bytes.byteOffset`, read once per chunk (both are slow getters in V8): a
   * view of `bytes[from, to)` is `new Uint8Array(buffer, byteOffset + from, to - from)`.
   */
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  readonly start: number;
  readonly end: number;
}

/** Receives each decoded frame's {@link FrameSpan}, synchronously and in order. */
export type FrameSpanHandler = (span: FrameSpan) => void;

/**
 * What every decoder in this package implements ({@link LengthFieldDecoder},
 * {@link DelimiterDecoder}), and what the stream adapters accept: bytes in, frames out.
 *
 * A decoder is a pure state machine (no I/O, no timers). A frame lying inside one chunk is a view of
 * that chunk; a frame spanning chunks is copied once. Once a decoder has thrown, the stream is
 * corrupt: every later call rethrows the same error.
 */
export interface FrameDecoder {
  /**
   * Feeds one chunk; calls `onFrame` for each frame it completes.
   * @throws {FramingError} a framing error code; the decoder is unusable afterwards.
   */
  push(chunk: Uint8Array, onFrame: FrameHandler): void;
  /** Like {@link FrameDecoder.push}, returning the chunk's frames as an array. */
  decode(chunk: Uint8Array): Uint8Array[];
  /**
   * Declares end of stream.
   * @throws {FrameTruncatedError} FRAME_TRUNCATED when part of a frame is still buffered.
   */
  end(onFrame?: FrameHandler): void;
  /** Bytes of an unfinished frame held between calls. */
  readonly bufferedBytes: number;
}
