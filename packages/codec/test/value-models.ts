/**
 * Test support: fast-check arbitraries over each codec's documented value domain, and models of
 * what each value decodes as (the README's value-domain table, written as code).
 */

import fc from "fast-check";

const INT53 = 2n ** 53n;

// "__proto__" is refused by design, and "constructor" over an object holding "prototype" too; both
// have their own tests.
const key = fc.string({ maxLength: 8 }).filter((k) => k !== "__proto__" && k !== "constructor");
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: "grapheme", minLength: 60, maxLength: 120 }), // long strings take another path
);

const commonScalars = [
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
  fc.maxSafeInteger(),
  fc.double(),
  text,
] as const;

/** Values of the msgpack codec's domain, nested at most a few levels. */
export const msgpackValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    ...commonScalars,
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.uint8Array({ maxLength: 40 }),
    fc.date({ noInvalidDate: true }),
    tie("array"),
    tie("object"),
    tie("map"),
    tie("set"),
  ),
  array: fc.array(tie("value"), { maxLength: 5 }),
  object: fc.dictionary(key, tie("value"), { maxKeys: 5 }),
  map: fc
    .array(fc.tuple(fc.oneof(key, fc.integer({ min: -1000, max: 1000 })), tie("value")), {
      maxLength: 4,
    })
    .map((entries) => new Map(entries)),
  set: fc.array(tie("value"), { maxLength: 4 }).map((items) => new Set(items)),
})).value;

/** Values of the JSON codec's domain (lone surrogates included: JSON escapes them). */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    ...commonScalars,
    fc.string({
      unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      maxLength: 3,
    }),
    fc.date({ noInvalidDate: true }),
    tie("array"),
    tie("object"),
  ),
  array: fc.array(tie("value"), { maxLength: 5 }),
  object: fc.dictionary(key, tie("value"), { maxKeys: 5 }),
})).value;

/** What a value of {@link msgpackValue} decodes as, per the README table (top level: see `top`). */
export function msgpackModel(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (typeof value === "bigint") return value >= -INT53 && value <= INT53 ? Number(value) : value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(msgpackModel);
  if (value instanceof Set) return [...value].map(msgpackModel);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of value) out[String(k)] = msgpackModel(item);
    return out;
  }
  if (typeof value === "object") return objectModel(value, msgpackModel);
  return value;
}

/** What a value of {@link jsonValue} decodes as. */
export function jsonModel(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    return Object.is(value, -0) ? 0 : value;
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonModel);
  if (typeof value === "object") return objectModel(value, jsonModel);
  return value;
}

/** A top-level `undefined` is an empty body and decodes as `undefined`; anything else as modelled. */
export function top(model: (value: unknown) => unknown): (value: unknown) => unknown {
  return (value) => (value === undefined ? undefined : model(value));
}

function objectModel(value: object, model: (value: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(value)) {
    if (item !== undefined) out[k] = model(item);
  }
  return out;
}

/** Replaces every Buffer (or other Uint8Array subclass) with a plain Uint8Array, for deep equality. */
export function plainBinary(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(plainBinary);
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(value)) out[k] = plainBinary(item);
    return out;
  }
  return value;
}

/** Hex string to bytes (spaces allowed, for readability in tests). */
export function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ""), "hex"));
}
