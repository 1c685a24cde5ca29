/**
 * Schema compatibility: can a reader with schema R accept every value a writer with schema W may
 * send? The rule is Avro's schema resolution (the reader resolves the writer's data against its own
 * schema) with protobuf's field rules: a field the reader does not know is dropped (zod's default
 * `z.object` strips it), a field the reader lacks is fine when the reader has it optional, and a
 * field the reader requires must always be written. Both schemas are zod's JSON Schema of the input
 * side (what travels on the wire), as {@link wireSchema} renders it.
 *
 * The check is conservative: where it cannot prove that every written value is readable (a changed
 * `pattern`, a recursive `$ref`, `not`, ...), it reports the difference as incompatible. Every
 * difference is reported, compatible or not, so a diff can list the non-breaking changes too.
 */

import { canonicalJson, type Json } from "./fingerprint.js";
import {
  asObject,
  branches,
  describeSchema,
  enumOf,
  isAny,
  type JsonSchema,
  MAX_SCHEMA_DEPTH,
  type Schema,
  typesOf,
} from "./schema-description.js";
import { type SchemaTraits, sameSchema, schemaTraits } from "./schema-traits.js";

/** One difference between a writer's and a reader's schema. */
export interface SchemaFinding {
  /** Where: property names and `[]` for array items, joined by dots (`""` for the root). */
  readonly path: string;
  /** The writer's type there, in short (`"string"`, `"absent"`, `"enum(a|b)"`, ...). */
  readonly writer: string;
  /** The reader's type there, in short. */
  readonly reader: string;
  /** True when every value the writer may send there is accepted by the reader. */
  readonly compatible: boolean;
  /** What changed, in a few words (`"required field added"`, `"enum widened"`, ...). */
  readonly reason: string;
}

/** Bound keywords: 1 for a lower bound, -1 for an upper one. */
const RANGE_KEYWORDS = new Map<string, number>([
  ["minimum", 1],
  ["exclusiveMinimum", 1],
  ["minLength", 1],
  ["minItems", 1],
  ["minProperties", 1],
  ["maximum", -1],
  ["exclusiveMaximum", -1],
  ["maxLength", -1],
  ["maxItems", -1],
  ["maxProperties", -1],
] as const);

/** Keywords that must be equal on both sides (the check does not reason about them). */
const OPAQUE_KEYWORDS = new Set([
  "pattern",
  "format",
  "multipleOf",
  "not",
  "if",
  "then",
  "else",
  "allOf",
  "x-zod-type",
  // zod writes a record's key schema here; the check does not reason about key schemas either.
  "propertyNames",
]);

/** Finds every difference between writer schema `w` and reader schema `r`, compatible or not. */
export function compareSchemas(w: JsonSchema, r: JsonSchema, path = ""): SchemaFinding[] {
  return compareWithTraits(w, undefined, r, undefined, path);
}

/**
 * {@link compareSchemas}, given the traits of either side where known (a local schema's, computed
 * once per contract), so that only the other side is walked for them.
 */
export function compareWithTraits(
  w: JsonSchema,
  wTraits: SchemaTraits | undefined,
  r: JsonSchema,
  rTraits: SchemaTraits | undefined,
  path: string,
): SchemaFinding[] {
  const out: SchemaFinding[] = [];
  // Equal schemas within the depth limit have no differences (a recursive one included): most
  // schemas of a member that changed are unchanged.
  if (sameSchema(w, r)) return out;
  // Checked before anything that recurses without a bound (describeSchema, sameJson, compareAt).
  const wt = wTraits ?? schemaTraits(w);
  const rt = rTraits ?? schemaTraits(r);
  if (wt.tooDeep || rt.tooDeep) {
    const [writer, reader] = [wt.tooDeep ? TOO_DEEP : "schema", rt.tooDeep ? TOO_DEEP : "schema"];
    const reason = `shape too deep: over ${MAX_SCHEMA_DEPTH} levels of nesting`;
    out.push(fieldFinding(path, writer, reader, false, reason));
    return out;
  }
  const ws = asObject(w);
  const rs = asObject(r);
  // A reference may point back up the tree, so a walk could not tell what it refers to on each
  // side: a recursive schema is compatible only when it is unchanged.
  if (wt.hasRef || rt.hasRef) {
    if (!sameJson(ws, rs)) out.push(finding(path, ws, rs, false, "recursive schema changed"));
    return out;
  }
  compareAt(ws, rs, path, out);
  return out;
}

/** True when the reader accepts everything the writer may send. */
export function isCompatibleSchema(w: JsonSchema, r: JsonSchema): boolean {
  return compareSchemas(w, r).every((f) => f.compatible);
}

// An unchanged node has no findings: skipped with one walk that allocates nothing (bounded: the
// caller has checked that neither schema is too deep). Its callers below ask before comparing,
// except the root, which compareWithTraits has just asked about.
function compareChild(w: Json | undefined, r: Json | undefined, at: string, out: SchemaFinding[]) {
  if (!sameSchema(w, r)) compareAt(asObject(w), asObject(r), at, out);
}

function compareAt(w: Schema, r: Schema, path: string, out: SchemaFinding[]): void {
  if (isAny(r)) {
    if (!isAny(w)) out.push(finding(path, w, r, true, "reader accepts anything"));
    return;
  }
  const wBranches = branches(w);
  const rBranches = branches(r);
  if (wBranches !== undefined || rBranches !== undefined) {
    compareUnions(wBranches ?? [w], rBranches ?? [r], w, r, path, out);
    return;
  }
  if (isAny(w)) {
    out.push(finding(path, w, r, false, "writer may send anything"));
    return;
  }
  const wTypes = typesOf(w);
  if (!compareTypes(w, wTypes, r, path, out)) return;
  compareEnums(w, r, path, out);
  compareRanges(w, r, path, out);
  compareOpaque(w, r, path, out);
  if (wTypes?.includes("object") || w.properties !== undefined) compareObjects(w, r, path, out);
  if (wTypes?.includes("array")) compareArrays(w, r, path, out);
}

function compareTypes(
  w: Schema,
  wTypes: string[] | undefined,
  r: Schema,
  path: string,
  out: SchemaFinding[],
): boolean {
  const rTypes = typesOf(r);
  if (rTypes === undefined) return true;
  if (wTypes === undefined) {
    out.push(finding(path, w, r, false, "type narrowed"));
    return false;
  }
  const missing = wTypes.filter((t) => !acceptsType(rTypes, t));
  const added = rTypes.filter(
    (t) => !wTypes.some((wt) => wt === t || (t === "number" && wt === "integer")),
  );
  if (missing.length > 0) {
    const reason = rTypes.some((t) => wTypes.includes(t)) ? "type narrowed" : "type changed";
    out.push(finding(path, w, r, false, reason));
    return false;
  }
  if (added.length > 0) out.push(finding(path, w, r, true, "type widened"));
  return true;
}

function compareEnums(w: Schema, r: Schema, path: string, out: SchemaFinding[]): void {
  const rValues = enumOf(r);
  const wValues = enumOf(w);
  if (rValues === undefined) {
    if (wValues !== undefined) out.push(finding(path, w, r, true, "enum dropped by the reader"));
    return;
  }
  if (wValues === undefined) {
    out.push(finding(path, w, r, false, "enum narrowed"));
    return;
  }
  const rKeys = new Set(rValues.map(canonicalJson));
  const wKeys = new Set(wValues.map(canonicalJson));
  if (wValues.some((v) => !rKeys.has(canonicalJson(v)))) {
    out.push(finding(path, w, r, false, "enum narrowed"));
  } else if (rValues.some((v) => !wKeys.has(canonicalJson(v)))) {
    out.push(finding(path, w, r, true, "enum widened"));
  }
}

// A reader's lower bound must not be above the writer's, an upper bound not below; a bound the
// writer lacks means the writer may send anything on that side.
// Both loops walk the schemas' own keys (a handful) rather than the keyword lists, and build no
// list of them: a Hello check runs this for every node of every schema that changed.
function compareRanges(w: Schema, r: Schema, path: string, out: SchemaFinding[]): void {
  for (const key in r) if (RANGE_KEYWORDS.has(key)) compareRange(key, w, r, path, out);
  for (const key in w) {
    if (RANGE_KEYWORDS.has(key) && !(key in r)) compareRange(key, w, r, path, out);
  }
}

function compareRange(key: string, w: Schema, r: Schema, path: string, out: SchemaFinding[]) {
  const sign = RANGE_KEYWORDS.get(key)!;
  const rb = r[key];
  const wb = w[key];
  if (rb === wb || typeof rb !== "number") {
    if (typeof wb === "number" && rb === undefined) {
      out.push(finding(path, w, r, true, `${key} removed`));
    }
    return;
  }
  const ok = typeof wb === "number" && (wb - rb) * sign >= 0;
  const bounded = finding(path, w, r, ok, ok ? `${key} relaxed` : `${key} tightened`);
  out.push({
    ...bounded,
    writer: typeof wb === "number" ? `${bounded.writer} (${key} ${wb})` : bounded.writer,
    reader: `${bounded.reader} (${key} ${rb})`,
  });
}

function compareOpaque(w: Schema, r: Schema, path: string, out: SchemaFinding[]): void {
  for (const key in r) if (OPAQUE_KEYWORDS.has(key)) compareOpaqueKey(key, w, r, path, out);
  for (const key in w) {
    if (OPAQUE_KEYWORDS.has(key) && !(key in r)) compareOpaqueKey(key, w, r, path, out);
  }
}

function compareOpaqueKey(key: string, w: Schema, r: Schema, path: string, out: SchemaFinding[]) {
  if (sameJson(w[key], r[key])) return;
  const ok = r[key] === undefined;
  out.push(finding(path, w, r, ok, ok ? `${key} removed` : `${key} changed`));
}

function compareObjects(w: Schema, r: Schema, path: string, out: SchemaFinding[]): void {
  const wProps = propsOf(w);
  const rProps = propsOf(r);
  const wRequired = requiredOf(w);
  const rRequired = requiredOf(r);
  const rExtra = r.additionalProperties;
  for (const name of Object.keys(rProps)) {
    const rSchema = rProps[name]!;
    // Own keys only: a field named `constructor` or `toString` is not inherited from Object.
    const wSchema = Object.hasOwn(wProps, name) ? wProps[name] : undefined;
    const required = rRequired.includes(name);
    const unchanged = required === wRequired.includes(name) && sameSchema(wSchema, rSchema);
    // Unchanged fields (most of them) are skipped before their path is even joined.
    if (wSchema !== undefined && unchanged) continue;
    const at = join(path, name);
    if (wSchema === undefined) {
      const reason = required ? "required field added" : "optional field added";
      out.push(fieldFinding(at, "absent", field(rSchema, required), !required, reason));
      continue;
    }
    // Types are described only when reported: most fields are unchanged.
    if (required !== wRequired.includes(name)) {
      const reason = required ? "field made required" : "field made optional";
      const types = [field(wSchema, !required), field(rSchema, required)] as const;
      out.push(fieldFinding(at, types[0], types[1], !required, reason));
    }
    compareAt(asObject(wSchema), asObject(rSchema), at, out);
  }
  for (const name of Object.keys(wProps)) {
    if (Object.hasOwn(rProps, name)) continue;
    const wProp = wProps[name]!;
    const at = join(path, name);
    const wField = field(wProp, wRequired.includes(name));
    if (rExtra === false) {
      out.push(fieldFinding(at, wField, "absent", false, "field unknown to a strict reader"));
    } else if (rExtra === undefined || rExtra === true) {
      out.push(fieldFinding(at, wField, "absent", true, "field removed (reader ignores it)"));
    } else {
      compareChild(wProp, rExtra, at, out);
    }
  }
  compareExtras(w, r, path, out);
}

// What a writer may send beyond its named properties (a record, a loose object) against what the
// reader does with such keys.
function compareExtras(w: Schema, r: Schema, path: string, out: SchemaFinding[]): void {
  const wExtra = w.additionalProperties;
  const rExtra = r.additionalProperties;
  if (wExtra === undefined || wExtra === false || sameJson(wExtra, rExtra)) return;
  const at = join(path, "*");
  if (rExtra === undefined || rExtra === true) return;
  if (rExtra === false) {
    const writer = describeSchema(wExtra);
    out.push(fieldFinding(at, writer, "absent", false, "extra keys refused by a strict reader"));
    return;
  }
  compareChild(wExtra, rExtra, at, out);
}

function compareArrays(w: Schema, r: Schema, path: string, out: SchemaFinding[]): void {
  const wPrefix = Array.isArray(w.prefixItems) ? w.prefixItems : [];
  const rPrefix = Array.isArray(r.prefixItems) ? r.prefixItems : [];
  const length = Math.max(wPrefix.length, rPrefix.length);
  for (let i = 0; i < length; i++) {
    // Past the writer's tuple with `items: false`, the writer sends nothing (minItems/maxItems
    // already compared the lengths).
    if (i >= wPrefix.length && w.items === false) continue;
    const ws = i < wPrefix.length ? wPrefix[i] : w.items;
    const rs = i < rPrefix.length ? rPrefix[i] : r.items;
    compareChild(ws, rs, join(path, String(i)), out);
  }
  if (w.items !== false && (w.items !== undefined || r.items !== undefined)) {
    compareChild(w.items, r.items, join(path, "[]"), out);
  }
}

// Every writer branch must fit one reader branch: a reader branch that fits no writer branch only
// widens the union.
function compareUnions(
  wBranches: Schema[],
  rBranches: Schema[],
  w: Schema,
  r: Schema,
  path: string,
  out: SchemaFinding[],
): void {
  // Each pair is compared once: asking again in the second loop would double the work at every
  // level of nested unions (2^depth for a remote's shape of single-branch unions).
  const fit = wBranches.map((wb) => rBranches.map((rb) => fits(wb, rb, path)));
  for (const [i, wb] of wBranches.entries()) {
    if (!fit[i]!.some(Boolean)) {
      out.push(finding(path, wb, r, false, "union member not accepted"));
      return;
    }
  }
  const widened = rBranches.some((_, j) => !fit.some((row) => row[j]));
  if (widened || wBranches.length !== rBranches.length) {
    out.push(finding(path, w, r, true, "union widened"));
  }
}

function fits(w: Schema, r: Schema, path: string): boolean {
  const out: SchemaFinding[] = [];
  compareChild(w, r, path, out);
  return out.every((f) => f.compatible);
}

function finding(
  path: string,
  w: Schema | Json,
  r: Schema | Json,
  compatible: boolean,
  reason: string,
): SchemaFinding {
  return { path, writer: describeSchema(w), reader: describeSchema(r), compatible, reason };
}

/** A field's type in short, `?` marking an optional one (`number?`). */
function field(schema: Json, required: boolean): string {
  return required ? describeSchema(schema) : `${describeSchema(schema)}?`;
}

function fieldFinding(
  path: string,
  writer: string,
  reader: string,
  compatible: boolean,
  reason: string,
): SchemaFinding {
  return { path, writer, reader, compatible, reason };
}

const TOO_DEEP = "shape too deep";

function acceptsType(readerTypes: string[], t: string): boolean {
  return readerTypes.includes(t) || (t === "integer" && readerTypes.includes("number"));
}

function propsOf(s: Schema): { [key: string]: Json } {
  const p = s.properties;
  return typeof p === "object" && p !== null && !Array.isArray(p) ? p : {};
}

/** The names `s` requires, as listed: a few, so searched in place (no Set built per node). */
function requiredOf(s: Schema): readonly Json[] {
  return Array.isArray(s.required) ? s.required : NO_NAMES;
}

const NO_NAMES: readonly Json[] = [];

function join(path: string, part: string): string {
  return path === "" ? part : `${path}.${part}`;
}

function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonicalJson(a) === canonicalJson(b);
}
