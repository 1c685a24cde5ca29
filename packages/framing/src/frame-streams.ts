import { Transform, type TransformCallback } from "node:stream";
import type { FrameDecoder } from "./frame-decoder.js";
import { LengthFieldDecoder } from "./length-field-decoder.js";
import { LengthFieldEncoder } from "./length-field-encoder.js";
import type { LengthFieldOptions } from "./length-field-options.js";
import { InvalidOptionError } from "./parley-error.js";

/** Options of {@link createFrameDecoderStream} and {@link decodeFrames}. */
export interface FrameDecoderSourceOptions extends LengthFieldOptions {
  /**
   * A decoder to use instead of a {@link LengthFieldDecoder} built from the length-field options
   * (for example a {@link DelimiterDecoder}). Give one or the other, not both.
   * @default a new LengthFieldDecoder(options)
   */
  decoder?: FrameDecoder;
}

/** Options of {@link createFrameDecoderStream}. */
export interface FrameDecoderStreamOptions extends FrameDecoderSourceOptions {
  /** Frames buffered on the readable side before the stream applies backpressure. @default 16 */
  readableHighWaterMark?: number;
}

/** Options of {@link createFrameEncoderStream}. */
export interface FrameEncoderStreamOptions extends LengthFieldOptions {
  /** Payloads buffered on the writable side before `write()` returns false. @default 16 */
  writableHighWaterMark?: number;
}

/**
 * A Node `Transform`: bytes in, one frame per readable object out (`readableObjectMode`), for
 * people holding a raw socket or stream. Frames are views of the written chunks (see the README).
 * A framing error destroys the stream with that error; a partial frame at the end is a
 * FRAME_TRUNCATED error.
 *
 * @example
 * socket.pipe(createFrameDecoderStream()).on("data", (frame: Uint8Array) => handle(frame));
 * @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule.
 */
export function createFrameDecoderStream(options: FrameDecoderStreamOptions = {}): Transform {
  const { readableHighWaterMark, ...rest } = options;
  const decoder = resolveDecoder(rest);
  return new Transform({
    readableObjectMode: true,
    readableHighWaterMark: readableHighWaterMark ?? 16,
    transform(chunk: Uint8Array, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        decoder.push(chunk, (frame) => {
          this.push(frame);
        });
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      try {
        decoder.end((frame) => {
          this.push(frame);
        });
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback();
    },
  });
}

/**
 * A Node `Transform`: one payload per written object (`Uint8Array`, or a string sent as UTF-8) in,
 * length-prefixed bytes out. Each payload leaves as its header followed by the untouched payload
 * (not copied: do not modify a payload after writing it).
 * An oversize payload destroys the stream with FRAME_TOO_LARGE.
 *
 * @example
 * const out = createFrameEncoderStream();
 * out.pipe(socket);
 * out.write(new TextEncoder().encode("hello"));
 * @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule.
 */
export function createFrameEncoderStream(options: FrameEncoderStreamOptions = {}): Transform {
  const { writableHighWaterMark, ...layout } = options;
  const encoder = new LengthFieldEncoder(layout);
  const utf8 = new TextEncoder();
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: writableHighWaterMark ?? 16,
    transform(payload: unknown, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        const bytes = typeof payload === "string" ? utf8.encode(payload) : payload;
        if (!(bytes instanceof Uint8Array)) {
          throw new InvalidOptionError(
            `frame encoder stream accepts Uint8Array or string payloads (got ${typeof payload})`,
          );
        }
        const [header, body] = encoder.encodeVectored(bytes);
        this.push(header);
        if (body.length > 0) this.push(body);
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback();
    },
  });
}

/**
 * Returns the decoder named by `options.decoder`, or a LengthFieldDecoder built from the options.
 * @throws {InvalidOptionError} INVALID_OPTION when both a decoder and length-field options are given.
 */
export function resolveDecoder(options: FrameDecoderSourceOptions): FrameDecoder {
  const { decoder, ...layout } = options;
  if (decoder === undefined) return new LengthFieldDecoder(layout);
  const given = Object.entries(layout).filter(([, v]) => v !== undefined);
  if (given.length > 0) {
    throw new InvalidOptionError(
      `decoder and length-field options (${given.map(([k]) => k).join(", ")}) are exclusive: ` +
        "configure the decoder you pass instead",
    );
  }
  return decoder;
}
