/**
 * A structural pre-scan of msgpack bytes, run before msgpackr builds any value. msgpackr decodes
 * recursively with no depth limit (about 4,500 nested arrays overflow the stack), accepts its own
 * extensions (records, structured-clone references, typed arrays, ...) from any sender, and renames
 * `__proto__` keys. The scanner walks the token stream iteratively with a fixed-size stack and
 * refuses, with a coded error, everything outside Parley's value domain:
 *
 * - nesting deeper than `maxDepth`;
 * - a declared array/map/string/binary/extension length larger than the bytes that remain (each
 *   array element takes at least one byte and each map entry two), so no value can make the decoder
 *   allocate more than the input justifies;
 * - any extension other than the standard timestamp (-1) with a 4, 8 or 12 byte body;
 * - the reserved byte 0xc1, map keys other than strings and numbers, `__proto__` keys and
 *   `constructor` maps holding a `prototype` key (fastify's secure-json-parse rule);
 * - bytes missing at the end, or left over after the value.
 */

import { CodecError } from "./errors.js";

const ARRAY = 0;
const MAP = 1;
/** A map that is the value of a `constructor` key: a `prototype` key inside it is refused. */
const CONSTRUCTOR_MAP = 2;

const PROTO = ascii("__proto__");
const CONSTRUCTOR = ascii("constructor");
const PROTOTYPE = ascii("prototype");

const TIMESTAMP_TYPE = 0xff; // extension type -1 as an unsigned byte
const MAX_DATE_MS = 8.64e15;

/** Validates msgpack bytes against Parley's value domain; reusable, allocation-free per scan. */
export class MsgpackScanner {
  readonly #maxDepth: number;
  /** Values still to read in each open container (maps count keys and values). */
  readonly #left: Float64Array;
  readonly #kind: Uint8Array;
  /** Set by {@link MsgpackScanner.#scanKey}: whether the key just scanned was "constructor". */
  #keyWasConstructor = false;

  constructor(maxDepth: number) {
    this.#maxDepth = maxDepth;
    this.#left = new Float64Array(maxDepth + 1);
    this.#kind = new Uint8Array(maxDepth + 1);
  }

  /**
   * Throws a {@link CodecError} unless `bytes[start, end)` hold exactly one msgpack value inside
   * the domain (error offsets count from the start of `bytes`). One loop over the tokens: splitting
   * it into per-token functions costs a call per token.
   */
  scan(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const left = this.#left;
    const kinds = this.#kind;
    const maxDepth = this.#maxDepth;
    let pos = start;
    let depth = 0;
    let underConstructor = false; // the next value is the value of a "constructor" key
    left[0] = 1;
    kinds[0] = ARRAY;
    for (;;) {
      const remaining = left[depth]!;
      if (remaining === 0) {
        if (depth === 0) break;
        depth--;
        continue;
      }
      left[depth] = remaining - 1;
      if (pos >= end) throw truncated(pos, 1, end);
      const kind = kinds[depth]!;
      const token = bytes[pos++]!;
      // An even count left in a map means a key comes next (`&` keeps the low bit of any count).
      if (kind !== ARRAY && (remaining & 1) === 0) {
        if (token >= 0xa0 && token < 0xc0) {
          // fixstr, the usual key: checked inline, a call per key is measurable
          const length = token & 0x1f;
          if (length > end - pos) throw truncated(pos, length, end);
          underConstructor = false;
          if (length === 9 || length === 11) {
            this.#checkKey(bytes, pos, length, kind === CONSTRUCTOR_MAP);
            underConstructor = this.#keyWasConstructor;
          }
          pos += length;
        } else {
          pos = this.#scanKey(bytes, token, pos, end, kind === CONSTRUCTOR_MAP);
          underConstructor = this.#keyWasConstructor;
        }
        continue;
      }
      const constructorValue = underConstructor;
      underConstructor = false;
      if (token < 0x80 || token >= 0xe0) continue; // fixint
      let count = -1; // elements of a container opened by this token
      let opens = ARRAY;
      if (token < 0x90) {
        count = token & 0x0f;
        opens = MAP;
      } else if (token < 0xa0) {
        count = token & 0x0f;
      } else if (token < 0xc0) {
        pos = skip(pos, token & 0x1f, end);
      } else {
        switch (token) {
          case 0xc0:
          case 0xc2:
          case 0xc3:
            break;
          case 0xc1:
            throw new CodecError("CODEC_INVALID_DATA", `reserved byte 0xc1 at offset ${pos - 1}`, {
              offset: pos - 1,
            });
          case 0xc4:
          case 0xc5:
          case 0xc6:
          case 0xd9:
          case 0xda:
          case 0xdb: {
            const width =
              token === 0xc4 || token === 0xd9 ? 1 : token === 0xc5 || token === 0xda ? 2 : 4;
            const length = readLength(bytes, pos, width, end);
            pos = skip(pos + width, length, end);
            break;
          }
          case 0xc7:
          case 0xc8:
          case 0xc9: {
            const width = token === 0xc7 ? 1 : token === 0xc8 ? 2 : 4;
            const length = readLength(bytes, pos, width, end);
            pos = scanExtension(bytes, pos + width, length, end);
            break;
          }
          case 0xca:
          case 0xce:
          case 0xd2:
            pos = skip(pos, 4, end);
            break;
          case 0xcb:
          case 0xcf:
          case 0xd3:
            pos = skip(pos, 8, end);
            break;
          case 0xcc:
          case 0xd0:
            pos = skip(pos, 1, end);
            break;
          case 0xcd:
          case 0xd1:
            pos = skip(pos, 2, end);
            break;
          case 0xd4:
          case 0xd5:
          case 0xd6:
          case 0xd7:
          case 0xd8:
            pos = scanExtension(bytes, pos, 1 << (token - 0xd4), end);
            break;
          case 0xdc:
          case 0xdd:
          case 0xde:
          case 0xdf: {
            const width = token === 0xdc || token === 0xde ? 2 : 4;
            count = readLength(bytes, pos, width, end);
            pos += width;
            opens = token >= 0xde ? MAP : ARRAY;
            break;
          }
        }
      }
      if (count < 0) continue;
      if (depth >= maxDepth) {
        throw new CodecError(
          "CODEC_MAX_DEPTH",
          `msgpack value nests deeper than maxDepth (${maxDepth}) at offset ${pos}; ` +
            "raise maxDepth on both peers if such values are expected",
          { offset: pos },
        );
      }
      const values = opens === MAP ? count * 2 : count;
      if (values > end - pos) {
        const what = opens === MAP ? "map declares" : "array declares";
        throw new CodecError(
          "CODEC_TRUNCATED",
          `${what} ${count} entries at offset ${pos} but only ${end - pos} bytes remain`,
          { offset: pos },
        );
      }
      if (values === 0) continue;
      depth++;
      left[depth] = values;
      kinds[depth] = opens === MAP && constructorValue ? CONSTRUCTOR_MAP : opens;
    }
    if (pos !== end) {
      throw new CodecError(
        "CODEC_TRAILING_BYTES",
        `${end - pos} bytes follow the msgpack value at offset ${pos}; a body holds exactly one value`,
        { offset: pos },
      );
    }
  }

  // Keys msgpackr turns into property names: strings as they are, numbers through String(). Anything
  // else (binary, arrays, maps, nil, booleans, extensions) has no faithful property-name form.
  #scanKey(
    bytes: Uint8Array,
    token: number,
    pos: number,
    end: number,
    inConstructor: boolean,
  ): number {
    this.#keyWasConstructor = false;
    let length: number;
    if (token >= 0xa0 && token < 0xc0) {
      length = token & 0x1f;
    } else if (token === 0xd9 || token === 0xda || token === 0xdb) {
      const width = token === 0xd9 ? 1 : token === 0xda ? 2 : 4;
      length = readLength(bytes, pos, width, end);
      pos += width;
    } else {
      const size = numberSize(token);
      if (size < 0) {
        throw new CodecError(
          "CODEC_INVALID_DATA",
          `map key at offset ${pos - 1} is ${describeToken(token)}; keys must be strings or numbers`,
          { offset: pos - 1 },
        );
      }
      return skip(pos, size, end);
    }
    if (length > end - pos) throw truncated(pos, length, end);
    this.#checkKey(bytes, pos, length, inConstructor);
    return pos + length;
  }

  /** Refuses prototype keys; records whether the key (at `pos`, `length` bytes) is "constructor". */
  #checkKey(bytes: Uint8Array, pos: number, length: number, inConstructor: boolean): void {
    if (length === 9 && matches(bytes, pos, PROTO)) throw forbidden("__proto__", pos);
    if (inConstructor && length === 9 && matches(bytes, pos, PROTOTYPE)) {
      throw forbidden("constructor.prototype", pos);
    }
    this.#keyWasConstructor = length === 11 && matches(bytes, pos, CONSTRUCTOR);
  }
}

/** Bytes after the token for numeric tokens (0 for fixints); -1 when the token is not a number. */
function numberSize(token: number): number {
  if (token < 0x80 || token >= 0xe0) return 0;
  switch (token) {
    case 0xcc:
    case 0xd0:
      return 1;
    case 0xcd:
    case 0xd1:
      return 2;
    case 0xca:
    case 0xce:
    case 0xd2:
      return 4;
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return 8;
    default:
      return -1;
  }
}

// `pos` points at the extension's type byte, followed by `length` bytes of body.
function scanExtension(bytes: Uint8Array, pos: number, length: number, end: number): number {
  if (1 + length > end - pos) throw truncated(pos, 1 + length, end);
  const type = bytes[pos]!;
  if (type !== TIMESTAMP_TYPE) {
    const signed = type > 127 ? type - 256 : type;
    throw new CodecError(
      "CODEC_UNKNOWN_EXTENSION",
      `msgpack extension type ${signed} at offset ${pos} is not accepted; only the timestamp ` +
        "extension (-1) is part of the value domain",
      { offset: pos },
    );
  }
  checkTimestamp(bytes, pos + 1, length);
  return pos + 1 + length;
}

// The spec's three layouts; anything else, nanoseconds of a second or more, or a time outside what a
// JavaScript Date holds would decode to an Invalid Date, which encode never produces.
function checkTimestamp(bytes: Uint8Array, at: number, length: number): void {
  let nanoseconds = 0;
  let seconds = 0;
  if (length === 8) {
    nanoseconds = uint32(bytes, at) >>> 2;
  } else if (length === 12) {
    nanoseconds = uint32(bytes, at);
    const high = uint32(bytes, at + 4) | 0; // signed upper half of the int64 seconds
    seconds = high * 0x100000000 + uint32(bytes, at + 8);
  } else if (length !== 4) {
    throw new CodecError(
      "CODEC_INVALID_DATA",
      `timestamp extension at offset ${at - 1} has ${length} bytes; msgpack allows 4, 8 or 12`,
      { offset: at - 1 },
    );
  }
  if (nanoseconds > 999_999_999 || Math.abs(seconds * 1000 + nanoseconds / 1e6) > MAX_DATE_MS) {
    throw new CodecError(
      "CODEC_INVALID_DATA",
      `timestamp extension at offset ${at - 1} is not a valid date`,
      { offset: at - 1 },
    );
  }
}

function readLength(bytes: Uint8Array, pos: number, width: number, end: number): number {
  if (width > end - pos) throw truncated(pos, width, end);
  if (width === 1) return bytes[pos]!;
  if (width === 2) return (bytes[pos]! << 8) | bytes[pos + 1]!;
  return uint32(bytes, pos);
}

/** The big-endian u32 at `pos` (the caller has checked that 4 bytes remain). */
export function uint32(bytes: Uint8Array, pos: number): number {
  return (
    bytes[pos]! * 0x1000000 + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!)
  );
}

function skip(pos: number, length: number, end: number): number {
  if (length > end - pos) throw truncated(pos, length, end);
  return pos + length;
}

function truncated(pos: number, needed: number, end: number): CodecError {
  return new CodecError(
    "CODEC_TRUNCATED",
    `msgpack value needs ${needed} bytes at offset ${pos} but ${end - pos} remain; ` +
      "the body was cut short or its lengths are corrupt",
    { offset: pos },
  );
}

function forbidden(key: string, pos: number): CodecError {
  return new CodecError(
    "CODEC_FORBIDDEN_KEY",
    `map key ${key} at offset ${pos} is refused: it could pollute object prototypes`,
    { offset: pos },
  );
}

function matches(bytes: Uint8Array, pos: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.length; i++) {
    if (bytes[pos + i] !== expected[i]) return false;
  }
  return true;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function describeToken(token: number): string {
  if (token === 0xc0) return "nil";
  if (token === 0xc2 || token === 0xc3) return "a boolean";
  if (token >= 0xc4 && token <= 0xc6) return "binary";
  if ((token >= 0x90 && token < 0xa0) || token === 0xdc || token === 0xdd) return "an array";
  if ((token >= 0x80 && token < 0x90) || token === 0xde || token === 0xdf) return "a map";
  if (token === 0xc1) return "the reserved byte 0xc1";
  return "an extension";
}
