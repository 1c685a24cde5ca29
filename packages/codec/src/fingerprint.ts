/**
 * Contract fingerprints: FNV-1a 64 over a canonical JSON rendering of the contract's wire shape, so
 * peers can compare contracts in the handshake with one short string. Pure JavaScript (no
 * node:crypto): the codec stays portable, and a collision-resistant hash buys nothing here because
 * the fingerprint detects accidents, not attacks.
 *
 * What the rendering holds: the contract name; each request's name, `idempotent` flag, and input and
 * output schemas (and `yields` and `accepts` schemas of a stream method); each signal's name and
 * schema. Schemas are zod's JSON Schema of the input side (what travels on the wire), with
 * annotations removed. See the README for what changes it.
 */

import { type $ZodType, toJSONSchema } from "zod/v4/core";
import type { ContractDefinition, RequestDefinition } from "./contract-types.js";

/** A JSON value (what zod's JSON Schema is made of). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keywords that document a schema without changing what it accepts. */
const ANNOTATIONS = new Set([
  "$schema",
  "$comment",
  "title",
  "description",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
]);

/** Keywords whose value maps names (which must stay) to subschemas. */
const SCHEMA_MAPS = new Set([
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "dependentSchemas",
]);

/** Keywords holding one subschema. */
const SCHEMA_VALUES = new Set([
  "items",
  "additionalItems",
  "additionalProperties",
  "unevaluatedItems",
  "unevaluatedProperties",
  "propertyNames",
  "contains",
  "not",
  "if",
  "then",
  "else",
]);

/** Keywords holding a list of subschemas. */
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);

/** Keywords holding a list whose order means nothing. */
const SETS = new Set(["required", "enum"]);

/** Computes the 16-hex-digit fingerprint of a contract definition. */
export function contractFingerprint(definition: ContractDefinition): string {
  const requests = Object.entries(definition.requests ?? {})
    .sort(([a], [b]) => compare(a, b))
    .map(([name, request]) => [name, requestShape(request)]);
  const signals = Object.entries(definition.signals ?? {})
    .sort(([a], [b]) => compare(a, b))
    .map(([name, schema]) => [name, wireSchema(schema)]);
  const canonical = canonicalJson({ name: definition.name, requests, signals } as unknown as Json);
  return fnv1a64(new TextEncoder().encode(canonical));
}

/**
 * One request's wire shape as the fingerprint renders it: the `idempotent` flag and
 * {@link requestWire}. A stream's `timeoutMs` is left out: the caller sends its budget with each
 * call, so two sides with different deadlines still interoperate.
 */
function requestShape(request: RequestDefinition): Json {
  return { idempotent: request.idempotent === true, ...requestWire(request) };
}

/**
 * The wire schemas of one request: `input` and `output`, and a stream method's `yields` and
 * `accepts`. Each appears only when declared, so a unary method renders exactly as it did before
 * streams existed (its fingerprints, and so its compatibility with older peers, are unchanged).
 */
export function requestWire(request: RequestDefinition): { [key: string]: Json } {
  const wire: { [key: string]: Json } = { input: wireSchema(request.input) };
  if (request.output !== undefined) wire.output = wireSchema(request.output);
  if (request.yields !== undefined) wire.yields = wireSchema(request.yields);
  if (request.accepts !== undefined) wire.accepts = wireSchema(request.accepts);
  return wire;
}

/** FNV-1a 64 of `bytes` as 16 lowercase hex digits, computed in four 16-bit limbs (no BigInt). */
export function fnv1a64(bytes: Uint8Array): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i]!;
    // h * 0x100000001b3 mod 2^64 = h * 0x1b3 + (h << 40); limbs above 64 bits fall away.
    let t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    let t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    t0 &= 0xffff;
    t2 += t1 >>> 16;
    t1 &= 0xffff;
    t3 += t2 >>> 16;
    t2 &= 0xffff;
    h0 = t0;
    h1 = t1;
    h2 = t2;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, "0")).join("");
}

/**
 * The wire shape of a schema: zod's JSON Schema of its input side (what travels), annotations
 * removed. Unrepresentable types (date, bigint, map, set, custom, ...) get a marker naming the zod
 * type rather than zod's empty schema, so swapping z.date() for z.bigint() still shows.
 */
export function wireSchema(schema: $ZodType): Json {
  const json = toJSONSchema(schema, {
    io: "input",
    target: "draft-2020-12",
    cycles: "ref",
    reused: "inline",
    unrepresentable: (ctx) => ({ "x-zod-type": ctx.zodSchema._zod.def.type }),
  });
  return stripAnnotations(json as unknown as Json);
}

function stripAnnotations(schema: Json): Json {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return schema;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (SCHEMA_MAPS.has(key) && isObject(value)) {
      const map: { [key: string]: Json } = {};
      for (const [name, sub] of Object.entries(value)) map[name] = stripAnnotations(sub);
      out[key] = map;
    } else if (SCHEMA_VALUES.has(key)) {
      out[key] = stripAnnotations(value);
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map(stripAnnotations);
    } else if (SETS.has(key) && Array.isArray(value)) {
      out[key] = value
        .map((item) => [canonicalJson(item), item] as const)
        .sort(([a], [b]) => compare(a, b))
        .map(([, item]) => item);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: Json): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort(compare);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(",")}}`;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Code-unit order, independent of locale (localeCompare is not).
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
