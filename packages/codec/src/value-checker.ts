/**
 * A walk over a JavaScript value that refuses, with a coded error, whatever lies outside a codec's
 * value domain, before any byte is written. It exists because the encoders fail badly on such
 * values: msgpackr writes a `Float64Array` as a binary whose tail is uninitialised memory from its
 * shared buffer, recurses without limit (a cycle is a stack overflow), writes `Set`, `Error` and
 * `RegExp` as arrays, and `JSON.stringify` silently turns `Map`, `Set` and typed arrays into `{}`.
 * The same walk checks what `JSON.parse` returned (depth and prototype keys), so both directions of
 * both codecs apply one rule set.
 *
 * The walk recurses, but never deeper than `maxDepth` (at most MAX_DEPTH_LIMIT) frames: depth is
 * checked before descending, so a cycle or a hostile value stops at the limit.
 */

import { CodecError } from "./errors.js";
import { isUserToJSON } from "./to-json.js";
import { isWellFormed } from "./well-formed-strings.js";

/**
 * Which codec's domain to check against: `msgpack` adds binary (`Uint8Array`, `ArrayBuffer`), `Map`,
 * `Set` and 64-bit `BigInt` to the plain data both accept.
 */
export type Domain = "msgpack" | "json";

/** A `toJSON` that returns another object with a `toJSON` is followed at most this many times. */
const MAX_TO_JSON_HOPS = 16;
const INT64_MIN = -(2n ** 63n);
const UINT64_END = 2n ** 64n;

/**
 * Checks values against one codec's domain in one direction. Stateless between calls, so a codec
 * keeps one per direction and calls {@link ValueChecker.check} for each message.
 */
export class ValueChecker {
  readonly #maxDepth: number;
  readonly #binary: boolean;
  readonly #verb: string;
  // for-in also yields enumerable keys inherited from Object.prototype, which exist only if someone
  // polluted it; checking once per value spares a hasOwn call per key on plain objects.
  #cleanObjectPrototype = true;
  /** Look for what msgpackr would write wrongly as it stands (see packable-copy.ts). */
  readonly #forPacking: boolean;
  /** The last {@link check} met such a string, key or record. */
  #needsCopy = false;

  /**
   * `verb` names the direction in messages: `"encode"` or `"decode"`. With `forPacking`,
   * {@link check} also reports whether msgpackr must be given a copy of the value instead: a string
   * or key holds a lone surrogate, or an object has an own `toJSON` key.
   */
  constructor(maxDepth: number, domain: Domain, verb: string, forPacking = false) {
    this.#maxDepth = maxDepth;
    this.#binary = domain === "msgpack";
    this.#verb = verb;
    this.#forPacking = forPacking;
  }

  /**
   * Throws a {@link CodecError} unless `root` lies in the domain: nesting at most `maxDepth` (a
   * cycle exceeds any depth), no `__proto__` key, no `constructor` key whose value (or what its
   * `toJSON()` gives) holds a `prototype` key, and only types the codec round-trips.
   * @returns `true` when the checker is for packing and the value needs the copy of packable-copy.ts
   * (see the constructor); `false` otherwise.
   */
  check(root: unknown): boolean {
    this.#needsCopy = false;
    if (typeof root !== "object") {
      this.#scalar(root);
      return this.#needsCopy;
    }
    if (root === null) return false;
    this.#cleanObjectPrototype = hasNoEnumerableKeys(Object.prototype);
    try {
      this.walk(root, 1);
      return this.#needsCopy;
    } catch (error) {
      // A caller already deep in its own stack can run out before maxDepth does.
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        throw tooDeep(this.#maxDepth, this.#verb);
      }
      throw error;
    }
  }

  /** Checks `value`, an object at nesting level `depth` (the root is 1). */
  walk(value: object, depth: number): void {
    if (depth > this.#maxDepth) throw tooDeep(this.#maxDepth, this.#verb);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.#child(value[i], depth);
      return;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === null || (proto === Object.prototype && this.#cleanObjectPrototype)) {
      for (const key in value) this.#entry(value as Record<string, unknown>, key, depth);
      return;
    }
    if (proto === Object.prototype) {
      this.#ownEntries(value, depth);
      return;
    }
    this.#special(value, depth);
  }

  #child(child: unknown, depth: number): void {
    if (typeof child === "object") {
      if (child !== null) this.walk(child, depth + 1);
    } else {
      this.#scalar(child);
    }
  }

  #scalar(value: unknown): void {
    if (typeof value === "string") {
      if (this.#forPacking && !isWellFormed(value)) this.#needsCopy = true;
    } else if (!isPlainScalar(value)) {
      checkScalar(value, this.#binary ? "msgpack" : "json");
    }
  }

  #key(key: string): void {
    if (this.#forPacking && !isWellFormed(key)) this.#needsCopy = true;
  }

  // Own enumerable string keys, as msgpackr (for-in + hasOwnProperty) and JSON.stringify write them;
  // undefined values are skipped by both.
  #entry(object: Record<string, unknown>, key: string, depth: number): void {
    const child = object[key];
    this.#key(key);
    if (key === "__proto__") throw forbiddenKey("__proto__");
    if (key === "constructor") {
      this.#constructorValue(child, depth);
      return;
    }
    // msgpackr calls a truthy toJSON of any object whose constructor is not Object (a record with a
    // constructor key of its own, a null-prototype one): such records go as Maps (packable-copy.ts).
    if (key === "toJSON" && this.#forPacking) this.#needsCopy = true;
    this.#child(child, depth);
  }

  /**
   * The value of a `constructor` key, in an object or a Map: refused when what the encoders write
   * for it (its `toJSON()` result, if it has one) holds a `prototype` key, which the receiving side
   * refuses as a pollution attempt; better caught here, before anything is sent.
   */
  #constructorValue(child: unknown, depth: number): void {
    const written = hasToJSON(child) ? followToJSON(child) : child;
    if (holdsPrototypeKey(written)) throw forbiddenKey("constructor.prototype");
    this.#child(written, depth);
  }

  #ownEntries(object: object, depth: number): void {
    for (const key in object) {
      if (Object.hasOwn(object, key)) this.#entry(object as Record<string, unknown>, key, depth);
    }
  }

  /** Everything but arrays and plain objects. */
  #special(value: object, depth: number): void {
    // A subclass's own toJSON (of Date, Set, a typed array...) is what the encoders write.
    if (isUserToJSON((value as { toJSON?: unknown }).toJSON)) {
      this.#instance(value, depth);
      return;
    }
    const binary = this.#binary;
    if (ArrayBuffer.isView(value)) {
      if (binary && value instanceof Uint8Array) return;
      throw unsupported(
        binary
          ? `${value.constructor.name} cannot be encoded: only Uint8Array (and Buffer) are binary; ` +
              "pass new Uint8Array(view.buffer, view.byteOffset, view.byteLength)"
          : `${value.constructor.name} has no JSON form; use the msgpack codec or send base64 text`,
      );
    }
    if (value instanceof ArrayBuffer) {
      if (binary) return;
      throw unsupported("ArrayBuffer has no JSON form; use the msgpack codec or send base64 text");
    }
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw unsupported("an invalid Date cannot be encoded");
      return;
    }
    if (value instanceof Map && value.constructor !== Map) {
      // msgpackr writes a Map subclass as a plain object of its own properties: entries lost.
      throw unsupported(
        `${value.constructor.name} (a Map subclass) cannot be encoded; pass new Map(value)`,
      );
    }
    if (value instanceof Map || value instanceof Set) {
      this.#collection(value, depth);
      return;
    }
    if (value instanceof RegExp || value instanceof Error || isBoxedPrimitive(value)) {
      throw unsupported(`${value.constructor.name} objects cannot be encoded; send plain data`);
    }
    this.#instance(value, depth);
  }

  #collection(value: Map<unknown, unknown> | Set<unknown>, depth: number): void {
    const name = value instanceof Map ? "Map" : "Set";
    if (!this.#binary) {
      throw unsupported(`${name} has no JSON form; convert it (Object.fromEntries, Array.from)`);
    }
    if (value instanceof Set) {
      for (const item of value) this.#child(item, depth);
      return;
    }
    for (const [key, item] of value) {
      checkMapKey(key);
      if (typeof key === "string") this.#key(key);
      if (key === "constructor") this.#constructorValue(item, depth);
      else this.#child(item, depth);
    }
  }

  // Class instances: msgpackr and JSON.stringify both use toJSON() when there is one (the result
  // takes the instance's place, at the same depth), and otherwise write own enumerable properties.
  #instance(value: object, depth: number): void {
    const current = followToJSON(value);
    if (current === value) this.#ownEntries(value, depth);
    else if (typeof current === "object") {
      if (current !== null) this.walk(current, depth);
    } else {
      this.#scalar(current);
    }
  }
}

function isPlainScalar(value: unknown): boolean {
  const type = typeof value;
  return type === "string" || type === "number" || type === "boolean" || type === "undefined";
}

function hasToJSON(value: unknown): value is { toJSON(): unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return false;
  return isUserToJSON((value as { toJSON?: unknown }).toJSON);
}

/** What the encoders write for `value`: its `toJSON()` result, followed while that has one too. */
function followToJSON(value: unknown): unknown {
  let current = value;
  for (let hops = 0; hasToJSON(current); hops++) {
    if (hops === MAX_TO_JSON_HOPS) {
      throw unsupported(`toJSON() chain longer than ${MAX_TO_JSON_HOPS} objects`);
    }
    const next: unknown = current.toJSON();
    if (next === current) break;
    current = next;
  }
  return current;
}

function hasNoEnumerableKeys(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

function checkMapKey(key: unknown): void {
  if (typeof key === "string") {
    if (key === "__proto__") throw forbiddenKey("__proto__");
    return;
  }
  if (typeof key === "number") return;
  if (typeof key === "bigint" && key >= INT64_MIN && key < UINT64_END) return;
  throw unsupported(
    `a Map key of type ${describe(key)} cannot be encoded; keys must be strings or numbers`,
  );
}

function checkScalar(value: unknown, domain: Domain): void {
  if (isPlainScalar(value) || value === null) return;
  if (typeof value === "bigint") {
    if (domain === "json") {
      throw unsupported("BigInt has no JSON form; send it as a string or use the msgpack codec");
    }
    if (value < INT64_MIN || value >= UINT64_END) {
      throw unsupported(`BigInt ${value} does not fit in 64 bits`);
    }
    return;
  }
  throw unsupported(`a value of type ${describe(value)} cannot be encoded`);
}

function holdsPrototypeKey(value: unknown): boolean {
  if (value instanceof Map) return value.has("prototype");
  return typeof value === "object" && value !== null && Object.hasOwn(value, "prototype");
}

function isBoxedPrimitive(value: object): boolean {
  return value instanceof Number || value instanceof String || value instanceof Boolean;
}

function tooDeep(maxDepth: number, verb: string): CodecError {
  const cycle = verb === "encode" ? " or contains a cycle" : "";
  return new CodecError(
    "CODEC_MAX_DEPTH",
    `value to ${verb} nests deeper than maxDepth (${maxDepth})${cycle}; ` +
      "raise maxDepth on both peers if such values are expected",
  );
}

function forbiddenKey(key: string): CodecError {
  return new CodecError(
    "CODEC_FORBIDDEN_KEY",
    `key ${key} is refused: it could pollute object prototypes`,
  );
}

function unsupported(message: string): CodecError {
  return new CodecError("CODEC_UNSUPPORTED_TYPE", message);
}

function describe(value: unknown): string {
  if (typeof value === "function") return "function";
  if (typeof value === "object")
    return value === null ? "null" : (value.constructor?.name ?? "object");
  return typeof value;
}
