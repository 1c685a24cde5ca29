/**
 * The copy of a value that the msgpack codec hands msgpackr in its place when the value check asks
 * for one, because msgpackr would write the value itself wrongly:
 *
 * - a string or key with a lone surrogate (see well-formed-strings.ts): mended to U+FFFD;
 * - an object with an own `toJSON` key: msgpackr picks an object's encoding by its `constructor`
 *   property, and for any object whose `constructor` is not `Object` (a record with a `constructor`
 *   key of its own, a null-prototype record, a class instance) calls a truthy `toJSON` it finds,
 *   even a number. Such a record is data like any other (`{"constructor": "x", "toJSON": 1}` decodes
 *   from the wire), so it goes as a `Map`, which msgpackr writes as the same map without looking
 *   at either key.
 *
 * Both are rare, so the check only reports them and well-formed plain data is packed as it is.
 */
import { isUserToJSON } from "./to-json.js";
import { toWellFormed } from "./well-formed-strings.js";

/**
 * A copy of `value` with lone surrogates mended and records with an own `toJSON` key as Maps,
 * written as msgpackr would write the original: `toJSON()` results in place of instances, own
 * enumerable properties of other objects, bytes and dates as they are. `value` has passed the value
 * check (no cycle, bounded depth), so the recursion ends.
 */
export function packableCopy(value: unknown): unknown {
  if (typeof value === "string") return toWellFormed(value);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(packableCopy);
  const proto = Object.getPrototypeOf(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (proto !== Object.prototype && proto !== null && isUserToJSON(toJSON)) {
    const replaced: unknown = toJSON.call(value);
    if (replaced !== value) return packableCopy(replaced);
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) {
    return value;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    for (const [key, item] of value) copy.set(packableCopy(key), packableCopy(item));
    return copy;
  }
  if (value instanceof Set) return new Set([...value].map(packableCopy));
  if (Object.hasOwn(value, "toJSON")) return recordAsMap(value as Record<string, unknown>);
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.hasOwn(value, key)) {
      copy[toWellFormed(key)] = packableCopy((value as Record<string, unknown>)[key]);
    }
  }
  return copy;
}

// Properties holding undefined are left out, as msgpackr leaves them out of an object (it would
// write them in a Map as nil).
function recordAsMap(record: Record<string, unknown>): Map<string, unknown> {
  const copy = new Map<string, unknown>();
  for (const key in record) {
    const item = record[key];
    if (item !== undefined && Object.hasOwn(record, key)) {
      copy.set(toWellFormed(key), packableCopy(item));
    }
  }
  return copy;
}
