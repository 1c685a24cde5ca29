/**
 * The codec contract the engine talks to: values to bytes and back. A codec is pure (no I/O, no
 * timers) and synchronous; one instance serves one connection or many.
 */

import { InvalidOptionError } from "@parley/framing";

/** Turns message bodies into bytes and back. {@link createMsgpackCodec} and {@link createJsonCodec} make one. */
export interface Codec {
  /** Wire name, compared by peers at handshake: `"msgpack"` or `"json"`. */
  readonly name: string;
  /**
   * Encodes a value. The returned bytes belong to the caller: valid forever, never overwritten by a
   * later call. `undefined` (a body with no value) encodes to zero bytes.
   *
   * @throws {CodecError} `CODEC_UNSUPPORTED_TYPE`, `CODEC_MAX_DEPTH` or `CODEC_FORBIDDEN_KEY` when
   *   the value is outside the codec's value domain (see the README).
   */
  encode(value: unknown): Uint8Array;
  /**
   * Encodes like {@link Codec.encode} but leaves `reserveBytes` zeroed bytes at the start of the
   * returned buffer for the caller's frame header, so header and body leave as one buffer with no
   * extra copy.
   *
   * @throws {InvalidOptionError} `INVALID_OPTION` when `reserveBytes` is not an integer from 0 to
   *   {@link MAX_RESERVE_BYTES}.
   * @throws {CodecError} as {@link Codec.encode}.
   */
  encodeReserved(value: unknown, reserveBytes: number): Uint8Array;
  /**
   * Encodes like {@link Codec.encodeReserved}, in parts written back to back, when the codec can
   * send part of the value without copying it: the msgpack codec returns `[reserve + bin header,
   * the value itself]` for a byte-string body of `ZERO_COPY_MIN_BYTES` (4 KiB) or more. `undefined`
   * means "use encodeReserved". The value's bytes go out as they are when the parts are written,
   * so they must not change until then. Optional.
   *
   * @throws {InvalidOptionError} as {@link Codec.encodeReserved}.
   */
  encodeParts?(value: unknown, reserveBytes: number): readonly Uint8Array[] | undefined;
  /**
   * The size of `value` encoded, when it is a byte string the codec copies whole behind a header
   * of its own (the msgpack codec: bin below `ZERO_COPY_MIN_BYTES`); -1 for any other value. With
   * {@link Codec.writeBytes}, a frame encoder lays such a body straight into memory it already
   * holds (a stream item's frame), skipping the general path. Optional, together with writeBytes.
   */
  bytesSize?(value: unknown): number;
  /** Writes `bytes`, for which {@link Codec.bytesSize} gave a size, encoded at `at` of `out`. */
  writeBytes?(bytes: Uint8Array, out: Uint8Array, at: number): void;
  /**
   * Decodes exactly one value from `bytes` (all of them). Zero bytes decode to `undefined`. Never a
   * stack overflow and never an allocation out of proportion to `bytes.length`, whatever the bytes.
   *
   * @throws {CodecError} `CODEC_TRUNCATED`, `CODEC_TRAILING_BYTES`, `CODEC_INVALID_DATA`,
   *   `CODEC_MAX_DEPTH`, `CODEC_UNKNOWN_EXTENSION` or `CODEC_FORBIDDEN_KEY`.
   */
  decode(bytes: Uint8Array): unknown;
  /**
   * Decodes like {@link Codec.decode} the bytes of `bytes` from `start` to the end, without making
   * a view of them first (a view costs about as much as decoding a small body). Error offsets count
   * from `start`. Optional: without it, callers use `decode(bytes.subarray(start))`.
   *
   * @throws {CodecError} as {@link Codec.decode}.
   */
  decodeFrom?(bytes: Uint8Array, start: number): unknown;
  /**
   * Decodes like {@link Codec.decodeFrom} the bytes of `bytes` from `start` to `end`: a body inside
   * a chunk that holds more frames after it. Optional: without it, callers use `decodeFrom` when
   * `end` is the end of `bytes`, else `decode(bytes.subarray(start, end))`.
   *
   * @throws {CodecError} as {@link Codec.decode}.
   */
  decodeRange?(bytes: Uint8Array, start: number, end: number): unknown;
  /**
   * Where the content of the byte string in `bytes[start, end)` begins, when those bytes are
   * exactly one byte string that {@link Codec.decode} returns as a view of them (the msgpack codec:
   * a bin, unless `copyBinary`); -1 for anything else. A caller that knows the bytes' buffer and
   * offset makes that view itself, `new Uint8Array(buffer, byteOffset + content, end - content)`,
   * cheaper than the codec could. Optional.
   */
  bytesStart?(bytes: Uint8Array, start: number, end: number): number;
}

/** Default for `maxDepth`: arrays, objects and maps nested deeper than this are refused both ways. */
export const DEFAULT_MAX_DEPTH = 64;

/**
 * Highest accepted `maxDepth`. msgpackr decodes recursively (about two stack frames per level), so
 * the limit keeps decoding far from the stack's end even when called from deep inside a program.
 */
export const MAX_DEPTH_LIMIT = 1000;

/** Most header bytes {@link Codec.encodeReserved} can reserve (msgpackr's `RESERVE_START_SPACE` holds 8 bits). */
export const MAX_RESERVE_BYTES = 255;

/** Shared by both codecs: checks the `reserveBytes` argument of `encodeReserved`. */
export function checkReserveBytes(reserveBytes: number): void {
  if (!Number.isInteger(reserveBytes) || reserveBytes < 0 || reserveBytes > MAX_RESERVE_BYTES) {
    throw new InvalidOptionError(
      `reserveBytes must be an integer from 0 to ${MAX_RESERVE_BYTES} (got ${String(reserveBytes)})`,
    );
  }
}

/** Copies `body` behind `reserveBytes` zeroed bytes (for codecs without native header room). */
export function withReservedSpace(body: Uint8Array, reserveBytes: number): Uint8Array {
  const out = new Uint8Array(reserveBytes + body.byteLength);
  out.set(body, reserveBytes);
  return out;
}
