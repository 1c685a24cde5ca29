import { Buffer } from "node:buffer";
import { FrameLengthInvalidError, FrameTooLargeError } from "./errors.js";
import {
  type LengthFieldOptions,
  type ResolvedLengthFieldOptions,
  resolveLengthFieldOptions,
  writeLengthField,
} from "./length-field-options.js";
import { InvalidOptionError } from "./parley-error.js";

/**
 * Prefixes payloads with a length field (Netty's `LengthFieldPrepender`), in the layout a
 * {@link LengthFieldDecoder} with the same options reads back: `decode(encode(p))` yields `p`.
 *
 * Prefer {@link LengthFieldEncoder.encodeVectored} (or `writeHeader` into room you reserved) on hot
 * paths: the payload is never copied, and `[header, payload]` goes out in one `writev`/cork.
 *
 * @example
 * const encoder = new LengthFieldEncoder();
 * socket.cork();
 * for (const chunk of encoder.encodeVectored(payload)) socket.write(chunk);
 * socket.uncork();
 */
export class LengthFieldEncoder {
  /** Size of the prefix this encoder writes, in bytes (the length field's width). */
  readonly headerBytes: number;
  private readonly o: ResolvedLengthFieldOptions;

  /**
   * @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule, or when
   *   `lengthFieldOffset` is not 0 (the encoder cannot invent the bytes before the length field).
   */
  constructor(options: LengthFieldOptions = {}) {
    this.o = resolveLengthFieldOptions(options);
    if (this.o.lengthFieldOffset !== 0) {
      throw new InvalidOptionError(
        `lengthFieldOffset must be 0 for LengthFieldEncoder (got ${this.o.lengthFieldOffset}): ` +
          "it writes only the length field; put the bytes before it in your own buffer",
      );
    }
    this.headerBytes = this.o.lengthFieldLength;
  }

  /**
   * Writes the prefix for a payload of `payloadLength` bytes into `target` at `offset`, for callers
   * that reserved header room in their own buffer. Returns the bytes written ({@link headerBytes}).
   * @throws {FrameTooLargeError} FRAME_TOO_LARGE when the payload exceeds `maxFrameBytes`.
   * @throws {FrameLengthInvalidError} FRAME_LENGTH_INVALID when the length cannot be expressed.
   * @throws {InvalidOptionError} INVALID_OPTION when `target` has no room at `offset`.
   */
  writeHeader(target: Uint8Array, offset: number, payloadLength: number): number {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + this.headerBytes > target.length) {
      throw new InvalidOptionError(
        `offset must leave ${this.headerBytes} header bytes inside target (offset ${offset}, ` +
          `target ${target.length} bytes)`,
      );
    }
    const value = this.lengthValue(payloadLength);
    writeLengthField(target, offset, value, this.o.lengthFieldLength, this.o.littleEndian);
    return this.headerBytes;
  }

  /**
   * Fresh prefix bytes for a payload of `payloadLength` bytes (for `writev`).
   * @throws {FrameTooLargeError} FRAME_TOO_LARGE, {@link FrameLengthInvalidError} FRAME_LENGTH_INVALID.
   */
  header(payloadLength: number): Uint8Array {
    const value = this.lengthValue(payloadLength);
    const header = Buffer.allocUnsafe(this.headerBytes);
    writeLengthField(header, 0, value, this.o.lengthFieldLength, this.o.littleEndian);
    return header;
  }

  /**
   * `[prefix, payload]`, the payload untouched (not copied), for `writev` or `cork()/uncork()`.
   * @throws {FrameTooLargeError} FRAME_TOO_LARGE, {@link FrameLengthInvalidError} FRAME_LENGTH_INVALID.
   */
  encodeVectored(payload: Uint8Array): [Uint8Array, Uint8Array] {
    return [this.header(payload.length), payload];
  }

  /**
   * One buffer holding prefix and payload (copies the payload once).
   * @throws {FrameTooLargeError} FRAME_TOO_LARGE, {@link FrameLengthInvalidError} FRAME_LENGTH_INVALID.
   */
  encode(payload: Uint8Array): Uint8Array {
    const value = this.lengthValue(payload.length);
    const frame = Buffer.allocUnsafe(this.headerBytes + payload.length);
    writeLengthField(frame, 0, value, this.o.lengthFieldLength, this.o.littleEndian);
    frame.set(payload, this.headerBytes);
    return frame;
  }

  /**
   * Many frames packed into one buffer, in order: one allocation and one write for a batch of small
   * messages. Every payload is checked before anything is allocated.
   * @throws {FrameTooLargeError} FRAME_TOO_LARGE, {@link FrameLengthInvalidError} FRAME_LENGTH_INVALID.
   */
  encodeBatch(payloads: readonly Uint8Array[]): Uint8Array {
    let total = 0;
    for (const payload of payloads) {
      this.lengthValue(payload.length);
      total += this.headerBytes + payload.length;
    }
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (const payload of payloads) {
      const value = payload.length - this.o.adjustment;
      writeLengthField(out, at, value, this.o.lengthFieldLength, this.o.littleEndian);
      out.set(payload, at + this.headerBytes);
      at += this.headerBytes + payload.length;
    }
    return out;
  }

  /** The length field value for a payload, after every check. */
  private lengthValue(payloadLength: number): number {
    const o = this.o;
    if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) {
      throw new InvalidOptionError(
        `payloadLength must be a non-negative integer (got ${payloadLength})`,
      );
    }
    if (payloadLength > o.maxFrameBytes) {
      throw new FrameTooLargeError({
        declaredBytes: payloadLength,
        maxFrameBytes: o.maxFrameBytes,
        direction: "encode",
      });
    }
    const value = payloadLength - o.adjustment;
    if (value < 0 || value > o.maxFieldValue) {
      throw new FrameLengthInvalidError(
        `a payload of ${payloadLength} bytes needs a length field value of ${value}, outside ` +
          `0..${o.maxFieldValue} for lengthFieldLength ${o.lengthFieldLength} with ` +
          "lengthAdjustment/lengthIncludesHeader as configured; widen lengthFieldLength or fix the layout",
        value,
      );
    }
    return value;
  }
}
