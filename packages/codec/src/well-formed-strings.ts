/**
 * Lone surrogates on the msgpack wire. msgpackr writes strings under 64 UTF-16 units with its own
 * loop, which turns a lone surrogate into its 3-byte CESU-8 form (`ED A0 80`): invalid UTF-8 that
 * other implementations refuse (msgpack-python fails the whole message). Longer strings go through
 * Node's UTF-8 encoder, which writes U+FFFD (`EF BF BD`) per lone surrogate, as the WHATWG Encoding
 * Standard and `String.prototype.toWellFormed` do. This module gives every length that rule: the
 * value checker spots an ill-formed string (V8 answers `isWellFormed()` at once for one-byte
 * strings, so well-formed input pays almost nothing), and only then is the value copied with
 * {@link withWellFormedStrings} before packing.
 */
import { isUserToJSON } from "./to-json.js";

/** `String.prototype.isWellFormed` / `toWellFormed` (ES2024; Node 20 has them, our lib is ES2023). */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** Whether `text` holds no lone surrogate. */
export function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedString).isWellFormed();
}

function toWellFormed(text: string): string {
  return (text as unknown as WellFormedString).toWellFormed();
}

/**
 * A copy of `value` in which every string, and every key, has each lone surrogate replaced by
 * U+FFFD, written as msgpackr would write the original: `toJSON()` results in place of instances,
 * own enumerable properties of other objects, bytes and dates as they are. `value` has passed the
 * value check (no cycle, bounded depth), so the recursion ends.
 */
export function withWellFormedStrings(value: unknown): unknown {
  if (typeof value === "string") return toWellFormed(value);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(withWellFormedStrings);
  const proto = Object.getPrototypeOf(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (proto !== Object.prototype && proto !== null && isUserToJSON(toJSON)) {
    const replaced: unknown = toJSON.call(value);
    if (replaced !== value) return withWellFormedStrings(replaced);
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) {
    return value;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    for (const [key, item] of value)
      copy.set(withWellFormedStrings(key), withWellFormedStrings(item));
    return copy;
  }
  if (value instanceof Set) return new Set([...value].map(withWellFormedStrings));
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.hasOwn(value, key)) {
      copy[toWellFormed(key)] = withWellFormedStrings((value as Record<string, unknown>)[key]);
    }
  }
  return copy;
}
