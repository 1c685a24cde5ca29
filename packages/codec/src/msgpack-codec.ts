/**
 * The msgpack codec: msgpackr with every setting chosen for a wire between untrusting peers, a value
 * check before encoding and a structural scan before decoding (see value-checker.ts and
 * msgpack-scanner.ts for what each refuses and why).
 */

import { booleanOption, integerOption, oneOfOption, optionsObject } from "@parley/framing/internal";
import { Packr, RESERVE_START_SPACE } from "msgpackr";
import { type Codec, checkReserveBytes, DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT } from "./codec.js";
import { CodecError } from "./errors.js";
import {
  binaryContentStart,
  copiedBinarySize,
  encodeBinary,
  encodeBinaryParts,
  isPlainBytes,
  writeBinary,
  ZERO_COPY_MIN_BYTES,
  zeroReserve,
} from "./msgpack-binary.js";
import { MsgpackScanner } from "./msgpack-scanner.js";
import { packableCopy } from "./packable-copy.js";
import { ValueChecker } from "./value-checker.js";

/** How 64-bit integers on the wire decode. */
export type Int64Mode = "auto" | "bigint" | "string";

/** Default for `int64As`: numbers while exact (|n| <= 2^53), `BigInt` beyond. */
export const DEFAULT_INT64_AS: Int64Mode = "auto";

const INT64_MODES: readonly Int64Mode[] = ["auto", "bigint", "string"];

/** Default for `copyBinary`: decoded binary values are views of the input bytes. */
export const DEFAULT_COPY_BINARY = false;

/** Options of {@link createMsgpackCodec}; every field is optional. */
export interface MsgpackCodecOptions {
  /**
   * Deepest nesting of arrays, objects and maps accepted when decoding and when encoding (1 to
   * {@link MAX_DEPTH_LIMIT}). Both peers should agree.
   * @default 64 ({@link DEFAULT_MAX_DEPTH})
   */
  maxDepth?: number | undefined;
  /**
   * How msgpack int64/uint64 values decode: `"auto"` gives a number while it is exact (|n| <= 2^53)
   * and a `BigInt` beyond; `"bigint"` always a `BigInt`; `"string"` always decimal text. Integers
   * sent in 32 bits or fewer always decode to numbers.
   * @default "auto" ({@link DEFAULT_INT64_AS})
   */
  int64As?: Int64Mode | undefined;
  /**
   * Copy decoded binary values out of the input. When `false`, each decoded `Uint8Array` is a view
   * of the bytes passed to `decode` and keeps them alive.
   * @default false ({@link DEFAULT_COPY_BINARY})
   */
  copyBinary?: boolean | undefined;
}

interface ResolvedMsgpackOptions {
  readonly maxDepth: number;
  readonly int64As: Int64Mode;
  readonly copyBinary: boolean;
}

/**
 * Creates a msgpack codec with one long-lived msgpackr `Packr` (which also unpacks). Its wire format
 * is standard msgpack: maps, never msgpackr records; no msgpackr extensions; `Date` as the standard
 * timestamp extension. The value domain is in the README.
 *
 * @throws {InvalidOptionError} `INVALID_OPTION` when an option breaks its rule.
 * @example
 * ```ts
 * const codec = createMsgpackCodec();
 * const bytes = codec.encode({ id: 7, tags: ["a"] });
 * codec.decode(bytes); // { id: 7, tags: ["a"] }
 * ```
 */
export function createMsgpackCodec(options?: MsgpackCodecOptions): Codec {
  return new MsgpackCodec(resolveOptions(options));
}

function resolveOptions(options: MsgpackCodecOptions | undefined): ResolvedMsgpackOptions {
  const given = optionsObject("createMsgpackCodec", options);
  return Object.freeze({
    maxDepth: integerOption("maxDepth", given.maxDepth, DEFAULT_MAX_DEPTH, 1, MAX_DEPTH_LIMIT),
    int64As: oneOfOption<Int64Mode>("int64As", given.int64As, DEFAULT_INT64_AS, INT64_MODES),
    copyBinary: booleanOption("copyBinary", given.copyBinary, DEFAULT_COPY_BINARY),
  });
}

class MsgpackCodec implements Codec {
  readonly name = "msgpack";
  readonly #packr: Packr;
  readonly #scanner: MsgpackScanner;
  readonly #checker: ValueChecker;
  readonly #copyBinary: boolean;
  /** msgpackr's `{ start, end }` unpack options, reused: one object per codec, not per message. */
  readonly #range = { start: 0, end: 0 };

  constructor(options: ResolvedMsgpackOptions) {
    this.#scanner = new MsgpackScanner(options.maxDepth);
    this.#checker = new ValueChecker(options.maxDepth, "msgpack", "encode", true);
    this.#copyBinary = options.copyBinary;
    this.#packr = new Packr({
      // Records change the wire format (ints 0x40-0x7f become record ids), are msgpackr-only and,
      // across messages, stateful; plain maps are what every other implementation reads.
      useRecords: false,
      mapsAsObjects: true,
      // No reference extensions, so no cyclic or shared objects on decode (the path behind
      // CVE-2023-52079); cycles on encode are caught by the value check as excess depth.
      structuredClone: false,
      // Keeps Set/Error/RegExp/typed arrays out of msgpackr-only extensions on the wire.
      moreTypes: false,
      // undefined in arrays, Map values and Set items as nil (msgpackr's default is a fixext only
      // msgpackr reads); object properties holding undefined are left out, as JSON.stringify does,
      // so zod's optional() fields still parse. skipValues is missing from msgpackr's typings.
      encodeUndefinedAsNil: true,
      skipValues: [undefined],
      // "auto" is implemented by msgpackr 2.1 (unpack.js) though its typings list only three modes.
      int64AsType: options.int64As as "bigint",
      copyBuffers: options.copyBinary,
      // Never reached after the value check; a second line of defence against silent nil/NaN.
      writeFunction: () => {
        throw new CodecError("CODEC_UNSUPPORTED_TYPE", "functions cannot be encoded");
      },
      onInvalidDate: () => {
        throw new CodecError("CODEC_UNSUPPORTED_TYPE", "an invalid Date cannot be encoded");
      },
    } as ConstructorParameters<typeof Packr>[0]);
  }

  encode(value: unknown): Uint8Array {
    if (value === undefined) return new Uint8Array(0);
    if (isPlainBytes(value)) return encodeBinary(value, 0);
    return this.#pack(this.#checked(value), 0);
  }

  encodeReserved(value: unknown, reserveBytes: number): Uint8Array {
    checkReserveBytes(reserveBytes);
    if (value === undefined) return new Uint8Array(reserveBytes);
    if (isPlainBytes(value)) return encodeBinary(value, reserveBytes);
    const checked = this.#checked(value);
    if (reserveBytes === 0) return this.#pack(checked, 0);
    const bytes = this.#pack(checked, RESERVE_START_SPACE | reserveBytes);
    zeroReserve(bytes, reserveBytes); // msgpackr's buffer is uninitialised
    return bytes;
  }

  encodeParts(value: unknown, reserveBytes: number): readonly Uint8Array[] | undefined {
    checkReserveBytes(reserveBytes);
    if (!isPlainBytes(value) || value.length < ZERO_COPY_MIN_BYTES) return undefined;
    return encodeBinaryParts(value, reserveBytes);
  }

  bytesSize(value: unknown): number {
    return copiedBinarySize(value);
  }

  writeBytes(bytes: Uint8Array, out: Uint8Array, at: number): void {
    writeBinary(bytes, out, at);
  }

  decode(bytes: Uint8Array): unknown {
    return this.decodeRange(bytes, 0, bytes.length);
  }

  decodeFrom(bytes: Uint8Array, start: number): unknown {
    return this.decodeRange(bytes, start, bytes.length);
  }

  decodeRange(bytes: Uint8Array, start: number, end: number): unknown {
    if (start >= end) return undefined;
    const content = binaryContentStart(bytes, start, end);
    if (content >= 0) {
      // As msgpackr reads bin: a view of the input, or (copyBinary) a copy made by the copying slice.
      return this.#copyBinary
        ? Uint8Array.prototype.slice.call(bytes, content, end)
        : bytes.subarray(content, end);
    }
    try {
      this.#scanner.scan(bytes, start, end);
    } catch (error) {
      if (start === 0) throw error;
      // Offsets in errors count from the body's first byte: scan the body alone for the error.
      this.#scanner.scan(bytes.subarray(start, end));
      throw error;
    }
    this.#range.start = start;
    this.#range.end = end;
    try {
      return this.#packr.unpack(bytes, this.#range);
    } catch (error) {
      throw decodeFailure(error);
    }
  }

  bytesStart(bytes: Uint8Array, start: number, end: number): number {
    return this.#copyBinary ? -1 : binaryContentStart(bytes, start, end);
  }

  /**
   * Checks `value` against the domain; returns it, or the copy of packable-copy.ts when msgpackr
   * would write it wrongly: short strings with lone surrogates as invalid UTF-8, a record with its
   * own `constructor` and `toJSON` keys through that `toJSON`.
   */
  #checked(value: unknown): unknown {
    return this.#checker.check(value) ? packableCopy(value) : value;
  }

  // msgpackr's pack returns a view of a buffer it shares between calls, but it only ever writes past
  // the end of what it has returned (or into a fresh buffer), so each result stays the caller's.
  #pack(value: unknown, flags: number): Uint8Array {
    try {
      return this.#packr.pack(value, flags);
    } catch (error) {
      throw encodeFailure(error);
    }
  }
}

function encodeFailure(error: unknown): CodecError {
  if (error instanceof CodecError) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new CodecError("CODEC_MAX_DEPTH", `value too deep for the stack: ${error.message}`, {
      cause: error,
    });
  }
  return new CodecError(
    "CODEC_UNSUPPORTED_TYPE",
    `msgpack encoding failed: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

// The scan admits only bytes msgpackr decodes, so this is a backstop (e.g. a stack already nearly
// exhausted by the caller when decode was called).
function decodeFailure(error: unknown): CodecError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError && /call stack/i.test(message)) {
    return new CodecError("CODEC_MAX_DEPTH", `msgpack value too deep for the stack: ${message}`, {
      cause: error,
    });
  }
  return new CodecError("CODEC_INVALID_DATA", `msgpack decoding failed: ${message}`, {
    cause: error,
  });
}
