/**
 * The fast path for a body that is one byte string (a top-level `Uint8Array` or `Buffer`), the most
 * common body of all after small objects: file chunks, pre-encoded payloads, proxied frames. The
 * bytes are exactly what msgpackr writes (bin 8/16/32, the shortest that fits) and read back as
 * msgpackr reads them, but without its per-call set-up, the value check (a byte string has nothing
 * to check) or the structural scan (a bin header and its length are the whole structure): 5x as
 * fast to encode 64 bytes and 2.6x to decode them (`npm run bench:codec`).
 */
import { Buffer } from "node:buffer";
import { slabBytes } from "./byte-slab.js";
import { uint32 } from "./msgpack-scanner.js";

/** msgpack bin 8, bin 16 and bin 32 type bytes. */
const BIN8 = 0xc4;
const BIN16 = 0xc5;
const BIN32 = 0xc6;

/** True for the byte strings the fast path encodes: plain `Uint8Array` and `Buffer`, no subclass. */
export function isPlainBytes(value: unknown): value is Uint8Array {
  if (!(value instanceof Uint8Array)) return false;
  const type = value.constructor;
  return type === Uint8Array || type === Buffer;
}

/** Bytes of the bin header msgpack uses for a byte string of `length` bytes. */
function binHeaderBytes(length: number): number {
  return length < 0x100 ? 2 : length < 0x1_0000 ? 3 : 5;
}

/**
 * Byte strings from this size on are sent without a copy ({@link encodeBinaryParts}): a copy of a
 * large body costs more than the extra chunk in the write, and would take a large share of an
 * encoding slab (byte-slab.ts) or, past 16 KiB, a fresh buffer of its own (an allocation,
 * first-touch page faults, garbage collection work). Below it, copying into the slab is what lets
 * a turn's frames go out as one chunk.
 */
export const ZERO_COPY_MIN_BYTES = 4096;

/**
 * `bytes` as msgpack bin behind `reserveBytes` zeroed bytes, in one buffer. The buffer is a slice
 * of a shared slab for small sizes (byte-slab.ts: no fresh ArrayBuffer per message, and a turn's
 * frames lie back to back); every byte of it is written here.
 */
export function encodeBinary(
  bytes: Uint8Array,
  reserveBytes: number,
  alloc: (n: number) => Uint8Array = slabBytes,
): Uint8Array {
  const n = bytes.length;
  const out = alloc(reserveBytes + binHeaderBytes(n) + n);
  out.set(bytes, writeHead(out, reserveBytes, n));
  return out;
}

/**
 * `bytes` as msgpack bin in two parts: `reserveBytes` zeroed bytes and the bin header in a small
 * buffer, then `bytes` themselves, not copied. Written back to back they are exactly
 * {@link encodeBinary}'s bytes.
 */
export function encodeBinaryParts(
  bytes: Uint8Array,
  reserveBytes: number,
): [head: Uint8Array, body: Uint8Array] {
  const n = bytes.length;
  const head = slabBytes(reserveBytes + binHeaderBytes(n));
  writeHead(head, reserveBytes, n);
  return [head, bytes];
}

/**
 * Zeroes the first `reserveBytes` bytes of `out`: reserved header room comes from uninitialised
 * memory and must never leak. A loop, not fill(): the reserve is a few bytes and fill() is a native
 * call.
 */
export function zeroReserve(out: Uint8Array, reserveBytes: number): void {
  for (let i = 0; i < reserveBytes; i++) out[i] = 0;
}

/**
 * The encoded size of `value` when it is a byte string {@link encodeBinary} copies (plain bytes
 * below {@link ZERO_COPY_MIN_BYTES}), else -1.
 */
export function copiedBinarySize(value: unknown): number {
  if (!isPlainBytes(value)) return -1;
  const n = value.length;
  return n < ZERO_COPY_MIN_BYTES ? binHeaderBytes(n) + n : -1;
}

/** Writes `bytes` as msgpack bin at `at` of `out`: the bytes {@link copiedBinarySize} counts. */
export function writeBinary(bytes: Uint8Array, out: Uint8Array, at: number): void {
  out.set(bytes, writeBinHeader(out, at, bytes.length));
}

/** Zeroes the reserve and writes the bin header for `n` bytes after it; returns where it ends. */
function writeHead(out: Uint8Array, reserveBytes: number, n: number): number {
  zeroReserve(out, reserveBytes);
  return writeBinHeader(out, reserveBytes, n);
}

/** Writes the bin header for `n` bytes at `at`; returns where it ends. */
function writeBinHeader(out: Uint8Array, at: number, n: number): number {
  let p = at;
  const header = binHeaderBytes(n);
  if (header === 2) {
    out[p++] = BIN8;
    out[p++] = n;
  } else if (header === 3) {
    out[p++] = BIN16;
    out[p++] = n >>> 8;
    out[p++] = n & 0xff;
  } else {
    out[p++] = BIN32;
    out[p++] = n >>> 24;
    out[p++] = (n >>> 16) & 0xff;
    out[p++] = (n >>> 8) & 0xff;
    out[p++] = n & 0xff;
  }
  return p;
}

/**
 * Where the content starts when `bytes[start, end)` (to the end of `bytes` by default) hold exactly
 * one msgpack bin value (header, then exactly its declared length), or -1 for anything else, left
 * to the general decoder (which also reports a truncated or over-long bin with the right error).
 */
export function binaryContentStart(bytes: Uint8Array, start: number, end = bytes.length): number {
  const left = end - start;
  const b = start;
  switch (bytes[b]) {
    case BIN8:
      return left >= 2 && 2 + bytes[b + 1]! === left ? b + 2 : -1;
    case BIN16:
      return left >= 3 && 3 + ((bytes[b + 1]! << 8) | bytes[b + 2]!) === left ? b + 3 : -1;
    case BIN32:
      return left >= 5 && 5 + uint32(bytes, b + 1) === left ? b + 5 : -1;
    default:
      return -1;
  }
}
