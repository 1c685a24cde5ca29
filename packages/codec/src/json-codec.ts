/**
 * The JSON codec: UTF-8 JSON text, for debugging with ordinary tools and for peers that cannot speak
 * msgpack. It applies the msgpack codec's rules (depth, prototype keys, no silent data loss) through
 * the same value check, on the way out before `JSON.stringify` and on the way in after `JSON.parse`
 * (V8's parser is iterative, so deep input cannot overflow the stack before the check runs).
 */

import { integerOption, optionsObject } from "@parley/framing/internal";
import {
  type Codec,
  checkReserveBytes,
  DEFAULT_MAX_DEPTH,
  MAX_DEPTH_LIMIT,
  withReservedSpace,
} from "./codec.js";
import { CodecError } from "./errors.js";
import { ValueChecker } from "./value-checker.js";

/** Options of {@link createJsonCodec}; every field is optional. */
export interface JsonCodecOptions {
  /**
   * Deepest nesting of arrays and objects accepted when decoding and when encoding (1 to
   * {@link MAX_DEPTH_LIMIT}). Both peers should agree.
   * @default 64 ({@link DEFAULT_MAX_DEPTH})
   */
  maxDepth?: number | undefined;
}

/**
 * Creates a JSON codec. Values outside plain JSON data (binary, `Map`, `Set`, `BigInt`, functions)
 * are refused rather than silently mangled; `Date` encodes as its ISO string and decodes as that
 * string. The value domain is in the README.
 *
 * @throws {InvalidOptionError} `INVALID_OPTION` when an option breaks its rule.
 * @example
 * ```ts
 * const codec = createJsonCodec();
 * new TextDecoder().decode(codec.encode({ ok: true })); // '{"ok":true}'
 * ```
 */
export function createJsonCodec(options?: JsonCodecOptions): Codec {
  const given = optionsObject("createJsonCodec", options);
  return new JsonCodec(
    integerOption("maxDepth", given.maxDepth, DEFAULT_MAX_DEPTH, 1, MAX_DEPTH_LIMIT),
  );
}

class JsonCodec implements Codec {
  readonly name = "json";
  readonly #outbound: ValueChecker;
  readonly #inbound: ValueChecker;
  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  constructor(maxDepth: number) {
    this.#outbound = new ValueChecker(maxDepth, "json", "encode");
    this.#inbound = new ValueChecker(maxDepth, "json", "decode");
  }

  encode(value: unknown): Uint8Array {
    if (value === undefined) return new Uint8Array(0);
    this.#outbound.check(value);
    let text: string;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      // Reached only through a toJSON() that throws or misbehaves; the check covers the rest.
      const message = error instanceof Error ? error.message : String(error);
      throw new CodecError("CODEC_UNSUPPORTED_TYPE", `JSON encoding failed: ${message}`, {
        cause: error,
      });
    }
    return this.#encoder.encode(text);
  }

  encodeReserved(value: unknown, reserveBytes: number): Uint8Array {
    checkReserveBytes(reserveBytes);
    const body = this.encode(value);
    return reserveBytes === 0 ? body : withReservedSpace(body, reserveBytes);
  }

  decode(bytes: Uint8Array): unknown {
    if (bytes.length === 0) return undefined;
    let text: string;
    try {
      text = this.#decoder.decode(bytes);
    } catch (error) {
      throw new CodecError("CODEC_INVALID_DATA", "JSON body is not valid UTF-8", { cause: error });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw parseFailure(error, text.length, text.length === bytes.length);
    }
    this.#inbound.check(value);
    return value;
  }

  decodeFrom(bytes: Uint8Array, start: number): unknown {
    return this.decode(start === 0 ? bytes : bytes.subarray(start));
  }

  decodeRange(bytes: Uint8Array, start: number, end: number): unknown {
    return this.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  }
}

// V8's messages say where parsing stopped (in UTF-16 units, which are byte offsets only for ASCII
// text); stopping at the very end means the text was cut short.
function parseFailure(error: unknown, length: number, ascii: boolean): CodecError {
  const message = error instanceof Error ? error.message : String(error);
  const at = /at position (\d+)/.exec(message);
  const offset = at ? Number(at[1]) : undefined;
  let code: "CODEC_TRUNCATED" | "CODEC_TRAILING_BYTES" | "CODEC_INVALID_DATA" =
    "CODEC_INVALID_DATA";
  if (/end of JSON input/i.test(message) || (offset !== undefined && offset >= length)) {
    code = "CODEC_TRUNCATED";
  } else if (/after JSON/i.test(message)) {
    code = "CODEC_TRAILING_BYTES";
  }
  return new CodecError(code, `invalid JSON body: ${message}`, {
    cause: error,
    offset: ascii ? offset : undefined,
  });
}
