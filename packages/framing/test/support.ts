// Test helpers written independently of src/: an oracle must not share the code it checks.
import type { FrameDecoder } from "@parley/framing";

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An unsigned integer as `width` bytes, via BigInt (the code under test avoids BigInt). */
export function lengthBytes(value: number | bigint, width: number, little = false): Uint8Array {
  const out = new Uint8Array(width);
  let v = BigInt(value);
  for (let i = 0; i < width; i++) {
    out[little ? i : width - 1 - i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The default wire form: 4-byte big-endian payload length, then the payload. */
export const frame = (payload: Uint8Array): Uint8Array =>
  concat(lengthBytes(payload.length, 4), payload);

/** Cuts `bytes` at the given (sorted, in-range) offsets into fresh, separately allocated chunks. */
export function cut(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const at of [...offsets, bytes.length]) {
    chunks.push(bytes.slice(prev, at));
    prev = at;
  }
  return chunks;
}

/** Feeds every chunk, then ends; returns each frame as a fresh copy (frames may be views). */
export function decodeAll(decoder: FrameDecoder, chunks: readonly Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const collect = (f: Uint8Array) => frames.push(Uint8Array.from(f));
  for (const chunk of chunks) decoder.push(chunk, collect);
  decoder.end(collect);
  return frames;
}

/** Runs `fn`, expecting it to throw; returns what it threw. */
export function thrown(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected a throw, got none");
}
