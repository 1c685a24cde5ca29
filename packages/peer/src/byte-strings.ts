/**
 * UTF-8 helpers for the short strings in frame headers (method and signal names, metadata). Most are
 * a few ASCII bytes, where a plain loop beats TextEncoder/TextDecoder's call overhead several times
 * over; anything else takes the standard path.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Longest string the ASCII loops handle; above it the native codec is as fast. */
const SHORT_STRING = 64;

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
  if (n <= SHORT_STRING) {
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
