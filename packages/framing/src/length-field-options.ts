/**
 * The layout of a length-prefixed frame, shared by {@link LengthFieldDecoder} and
 * {@link LengthFieldEncoder}, with Netty's `LengthFieldBasedFrameDecoder` vocabulary:
 *
 * ```
 * | lengthFieldOffset bytes | length field (lengthFieldLength bytes) | body (value + lengthAdjustment bytes) |
 * |<------------------ initialBytesToStrip: cut from the front of each decoded frame ------>|
 * ```
 *
 * The default layout is a 4-byte big-endian length of the payload, stripped on decode, so a frame
 * is exactly the payload that was encoded.
 */

import { booleanOption, integerOption, oneOfOption } from "./option-rules.js";
import { InvalidOptionError } from "./parley-error.js";

/** Largest frame body (bytes after the length field) accepted by default: 4 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Default width of the length field, in bytes. */
export const DEFAULT_LENGTH_FIELD_LENGTH = 4;
/** Default byte order of the length field. */
export const DEFAULT_BYTE_ORDER: ByteOrder = "big";
/** Default position of the length field from the start of the frame. */
export const DEFAULT_LENGTH_FIELD_OFFSET = 0;
/** Default value added to the length field to get the body size. */
export const DEFAULT_LENGTH_ADJUSTMENT = 0;

/** Widths a length field may have, in bytes. */
export type LengthFieldLength = 1 | 2 | 3 | 4 | 8;
/** Byte order of a length field. */
export type ByteOrder = "big" | "little";

/** Options describing a length-prefixed frame layout. Every field is optional. */
export interface LengthFieldOptions {
  /**
   * Largest frame body accepted, in bytes after the length field (for the default layout: the
   * payload). The decoder checks it as soon as the length field is readable, before buffering a
   * byte of the body; the encoder refuses larger payloads. Both peers must agree.
   * @default 4194304 (4 MiB, {@link DEFAULT_MAX_FRAME_BYTES})
   */
  maxFrameBytes?: number;
  /** Width of the length field in bytes. 8-byte lengths are read without BigInt. @default 4 */
  lengthFieldLength?: LengthFieldLength;
  /** Byte order of the length field. @default "big" */
  byteOrder?: ByteOrder;
  /**
   * Bytes before the length field (a header the decoder passes through untouched). Decoder only:
   * the encoder writes just the length field and rejects a non-zero offset. @default 0
   */
  lengthFieldOffset?: number;
  /**
   * Added to the length field's value to get the number of bytes after the length field (Netty
   * semantics: negative when the value counts header bytes, positive when a header follows the
   * length field and is not counted). @default 0
   */
  lengthAdjustment?: number;
  /**
   * Bytes cut from the front of each decoded frame (Netty semantics). Decoder only.
   * @default lengthFieldOffset + lengthFieldLength (the whole header: a frame is its body)
   */
  initialBytesToStrip?: number;
  /**
   * Convenience: the length field counts the header bytes (`lengthFieldOffset + lengthFieldLength`)
   * as well as the body. Combines with `lengthAdjustment`. @default false
   */
  lengthIncludesHeader?: boolean;
}

/** The validated, frozen form of {@link LengthFieldOptions}; computed once per decoder or encoder. */
export interface ResolvedLengthFieldOptions {
  readonly maxFrameBytes: number;
  readonly lengthFieldLength: LengthFieldLength;
  readonly littleEndian: boolean;
  readonly lengthFieldOffset: number;
  /** `lengthFieldOffset + lengthFieldLength`: bytes needed before the length is known. */
  readonly headerBytes: number;
  /** Effective adjustment: `lengthAdjustment`, minus `headerBytes` when `lengthIncludesHeader`. */
  readonly adjustment: number;
  readonly initialBytesToStrip: number;
  /** Largest value the length field can hold. */
  readonly maxFieldValue: number;
}

/**
 * Validates options once and returns the frozen resolved form.
 * @throws {InvalidOptionError} INVALID_OPTION naming the option and its rule.
 */
export function resolveLengthFieldOptions(
  options: LengthFieldOptions = {},
): ResolvedLengthFieldOptions {
  const maxFrameBytes = integerOption(
    "maxFrameBytes",
    options.maxFrameBytes,
    DEFAULT_MAX_FRAME_BYTES,
    1,
  );
  const lengthFieldLength = oneOfOption<LengthFieldLength>(
    "lengthFieldLength",
    options.lengthFieldLength,
    DEFAULT_LENGTH_FIELD_LENGTH,
    [1, 2, 3, 4, 8],
  );
  const byteOrder = oneOfOption<ByteOrder>("byteOrder", options.byteOrder, DEFAULT_BYTE_ORDER, [
    "big",
    "little",
  ]);
  const lengthFieldOffset = integerOption(
    "lengthFieldOffset",
    options.lengthFieldOffset,
    DEFAULT_LENGTH_FIELD_OFFSET,
    0,
    maxFrameBytes,
  );
  const headerBytes = lengthFieldOffset + lengthFieldLength;
  const lengthAdjustment = integerOption(
    "lengthAdjustment",
    options.lengthAdjustment,
    DEFAULT_LENGTH_ADJUSTMENT,
    Number.MIN_SAFE_INTEGER,
  );
  const includesHeader = booleanOption("lengthIncludesHeader", options.lengthIncludesHeader, false);
  const adjustment = lengthAdjustment - (includesHeader ? headerBytes : 0);
  const maxFieldValue =
    lengthFieldLength === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * lengthFieldLength) - 1;
  const strip = integerOption("initialBytesToStrip", options.initialBytesToStrip, headerBytes, 0);
  checkLayout(
    { maxFrameBytes, lengthFieldLength, headerBytes, adjustment, maxFieldValue },
    strip,
    includesHeader,
  );
  return Object.freeze({
    maxFrameBytes,
    lengthFieldLength,
    littleEndian: byteOrder === "little",
    lengthFieldOffset,
    headerBytes,
    adjustment,
    initialBytesToStrip: strip,
    maxFieldValue,
  });
}

/**
 * Refuses a layout in which no frame can travel: one that leaves no body size a length field value
 * gives and `maxFrameBytes` allows, or strips more than the largest frame. Such a layout would fail
 * every frame on the wire, blamed on the peer, instead of here.
 * @throws {InvalidOptionError} INVALID_OPTION naming `lengthAdjustment` or `initialBytesToStrip`.
 */
function checkLayout(
  o: Pick<
    ResolvedLengthFieldOptions,
    "maxFrameBytes" | "lengthFieldLength" | "headerBytes" | "adjustment" | "maxFieldValue"
  >,
  strip: number,
  includesHeader: boolean,
): void {
  if (o.adjustment > o.maxFrameBytes || o.maxFieldValue + o.adjustment < 0) {
    const what = includesHeader
      ? "lengthAdjustment minus the header (lengthIncludesHeader)"
      : "lengthAdjustment";
    throw new InvalidOptionError(
      `${what} must be from ${-o.maxFieldValue} to ${o.maxFrameBytes} (got ${o.adjustment}): no ` +
        `value of a ${o.lengthFieldLength}-byte length field gives a body of 0 to maxFrameBytes bytes`,
    );
  }
  const largestFrame = o.headerBytes + Math.min(o.maxFrameBytes, o.maxFieldValue + o.adjustment);
  if (strip > largestFrame) {
    throw new InvalidOptionError(
      `initialBytesToStrip must be an integer from 0 to ${largestFrame}, the largest frame the ` +
        `layout allows (got ${strip}); check it against maxFrameBytes and lengthFieldLength`,
    );
  }
}

/**
 * Reads an unsigned length field of `length` bytes at `p`. Values above 2^53 (8-byte fields only)
 * come back inexact but still above `Number.MAX_SAFE_INTEGER`, which callers reject: no BigInt.
 */
export function readLengthField(
  buf: Uint8Array,
  p: number,
  length: LengthFieldLength,
  littleEndian: boolean,
): number {
  switch (length) {
    case 1:
      return buf[p]!;
    case 2:
      return littleEndian ? buf[p]! | (buf[p + 1]! << 8) : (buf[p]! << 8) | buf[p + 1]!;
    case 3:
      return littleEndian
        ? buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16)
        : (buf[p]! << 16) | (buf[p + 1]! << 8) | buf[p + 2]!;
    case 4:
      return read32(buf, p, littleEndian);
    case 8: {
      const hi = read32(buf, littleEndian ? p + 4 : p, littleEndian);
      const lo = read32(buf, littleEndian ? p : p + 4, littleEndian);
      return hi * 0x1_0000_0000 + lo;
    }
  }
}

/** Writes `value` (an integer from 0 to the field's maximum) as a length field of `length` bytes. */
export function writeLengthField(
  target: Uint8Array,
  p: number,
  value: number,
  length: LengthFieldLength,
  littleEndian: boolean,
): void {
  switch (length) {
    case 1:
      target[p] = value;
      return;
    case 2:
      target[littleEndian ? p : p + 1] = value & 0xff;
      target[littleEndian ? p + 1 : p] = value >>> 8;
      return;
    case 3:
      target[littleEndian ? p : p + 2] = value & 0xff;
      target[p + 1] = (value >>> 8) & 0xff;
      target[littleEndian ? p + 2 : p] = value >>> 16;
      return;
    case 4:
      write32(target, p, value, littleEndian);
      return;
    case 8:
      // The high half by division: bit operators would truncate the value to 32 bits first.
      write32(target, littleEndian ? p + 4 : p, Math.floor(value / 0x1_0000_0000), littleEndian);
      write32(target, littleEndian ? p : p + 4, value >>> 0, littleEndian);
  }
}

// Multiplying the top byte avoids the sign bit that `<< 24` would set.
function read32(buf: Uint8Array, p: number, littleEndian: boolean): number {
  return littleEndian
    ? (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16)) + buf[p + 3]! * 0x100_0000
    : buf[p]! * 0x100_0000 + ((buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!);
}

// `>>>` reads its operand as uint32, so values from 2^31 to 2^32 - 1 come out right.
function write32(target: Uint8Array, p: number, value: number, littleEndian: boolean): void {
  if (littleEndian) {
    target[p] = value & 0xff;
    target[p + 1] = (value >>> 8) & 0xff;
    target[p + 2] = (value >>> 16) & 0xff;
    target[p + 3] = value >>> 24;
  } else {
    target[p] = value >>> 24;
    target[p + 1] = (value >>> 16) & 0xff;
    target[p + 2] = (value >>> 8) & 0xff;
    target[p + 3] = value & 0xff;
  }
}
