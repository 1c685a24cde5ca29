/**
 * UTF-8 helpers for the short strings in frame headers (method and signal names, metadata). Most are
 * a few ASCII bytes, where a plain loop beats TextEncoder/TextDecoder's call overhead several times
 * over; anything else takes the standard path.
 */

const encoder = new TextEncoder();
// ignoreBOM: a string that starts with U+FEFF keeps it, as it was sent.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Longest string the ASCII encoding loop handles; above it TextEncoder is as fast. */
const SHORT_STRING = 64;
/**
 * Longest string the ASCII decoding loop handles: building a string a character at a time costs
 * about 8-20 ns a character and TextDecoder about 150 ns whatever the length up to 48, so they meet
 * near 12 (84 against 158 ns at 8 characters, 216 against 144 at 16, 504 against 269 at 32).
 */
const SHORT_DECODE = 12;

/** UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  const n = text.length;
  if (n <= SHORT_STRING) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) return encoder.encode(text);
      out[i] = c;
    }
    return out;
  }
  return encoder.encode(text);
}

/**
 * Decodes `bytes[start, end)` as UTF-8.
 * @throws TypeError when the bytes are not valid UTF-8.
 */
export function readUtf8(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return "";
  if (n <= SHORT_DECODE) {
    let text = "";
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c > 0x7f) return decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(c);
    }
    return text;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/** Small bounded cache of encoded names: method and signal names repeat on every frame. */
export class NameBytesCache {
  private readonly entries = new Map<string, Uint8Array>();

  constructor(private readonly capacity = 1024) {}

  /** UTF-8 bytes of `name`, cached while the cache has room (names are few; callers' typos not). */
  get(name: string): Uint8Array {
    let bytes = this.entries.get(name);
    if (bytes === undefined) {
      bytes = utf8Bytes(name);
      if (this.entries.size < this.capacity) this.entries.set(name, bytes);
    }
    return bytes;
  }
}

/**
 * Small bounded cache of decoded names: the method or signal name of every inbound frame is one of
 * a few, so it is looked up by its bytes instead of decoded again. A hit returns the same string
 * object each time, whose hash V8 has already computed, so the handler and contract lookups that
 * follow skip hashing too. Bounded: a remote that sends ever-new names fills it and then decodes
 * as if there were no cache.
 */
export class NameStringCache {
  private readonly entries = new Map<number, NameEntry>();
  /**
   * The entry of the last hit, tried before hashing: frames in a row mostly carry the same name,
   * and comparing a few bytes costs a tenth of hashing them and a Map lookup.
   */
  private last: NameEntry | undefined;

  constructor(private readonly capacity = 256) {}

  /**
   * The string in `bytes[start, end)`, as {@link readUtf8} decodes it.
   * @throws TypeError when the bytes are not valid UTF-8.
   */
  get(bytes: Uint8Array, start: number, end: number): string {
    const last = this.last;
    if (last !== undefined && sameBytes(last.bytes, bytes, start, end)) return last.text;
    const key = fnv1a(bytes, start, end);
    const entry = this.entries.get(key);
    if (entry !== undefined && sameBytes(entry.bytes, bytes, start, end)) {
      this.last = entry;
      return entry.text;
    }
    const text = readUtf8(bytes, start, end);
    if (entry === undefined && this.entries.size < this.capacity) {
      this.entries.set(key, { bytes: bytes.slice(start, end), text });
    }
    return text;
  }
}

interface NameEntry {
  readonly bytes: Uint8Array;
  readonly text: string;
}

/**
 * 30-bit FNV-1a of `bytes[start, end)` (names are at most 255 bytes): 30 bits, so the key is a
 * small integer V8 keeps unboxed, not a heap number allocated for every lookup.
 */
export function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash & 0x3fff_ffff;
}

function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (known.length !== end - start) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== bytes[start + i]) return false;
  return true;
}
