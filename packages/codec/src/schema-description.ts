/**
 * Reading zod's JSON Schema: the few questions the compatibility check asks of a schema node (its
 * types, enum values, union branches, whether it accepts anything) and a short description of it
 * for messages (`string | null`, `enum(a|b)`, `array<integer>`).
 */
import type { Json } from "./fingerprint.js";

/**
 * Most levels of JSON nesting (objects and arrays, counted from the schema's root) a compared
 * schema may have: about 30 nested objects, far beyond a real contract. The compare walks schemas
 * recursively, and a remote's shape arrives in the Hello (up to 64 KiB), so a deeper one is
 * reported as an incompatible finding ("shape too deep") instead of being walked into a stack
 * overflow.
 */
export const MAX_SCHEMA_DEPTH = 64;

/** A JSON Schema object (or `true`/`false`). */
export type JsonSchema = { [key: string]: Json } | boolean;
/** A JSON Schema node as an object. */
export type Schema = { [key: string]: Json };

/** A schema in a few characters, for messages: `string`, `number | null`, `enum(a|b)`, `object`. */
export function describeSchema(s: Json | Schema | undefined): string {
  return describeAt(s, 0);
}

// Recursive over unions and array items, so bounded like the compare (a description of a deeper
// schema ends in "...").
function describeAt(s: Json | Schema | undefined, depth: number): string {
  if (depth > MAX_SCHEMA_DEPTH) return "...";
  const schema = asObject(s as JsonSchema);
  if (isAny(schema)) return "any";
  const zodType = schema["x-zod-type"];
  if (typeof zodType === "string") return zodType;
  const values = enumOf(schema);
  if (values !== undefined) {
    const shown = values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join("|");
    return values.length === 1 ? `literal(${shown})` : `enum(${shown})`;
  }
  const alternatives = branches(schema);
  if (alternatives !== undefined)
    return alternatives.map((b) => describeAt(b, depth + 1)).join(" | ");
  const types = typesOf(schema);
  if (types === undefined) return schema.$ref !== undefined ? "recursive" : "constrained";
  return types
    .map((t) =>
      t === "array" && schema.items !== undefined
        ? `array<${describeAt(schema.items, depth + 1)}>`
        : t,
    )
    .join(" | ");
}

export function isAny(s: Schema): boolean {
  for (const key in s) if (key !== "$schema") return false;
  return true;
}

export function branches(s: Schema): Schema[] | undefined {
  const list = s.anyOf ?? s.oneOf;
  return Array.isArray(list) ? list.map((b) => asObject(b as JsonSchema)) : undefined;
}

export function typesOf(s: Schema): string[] | undefined {
  if (typeof s.type === "string") return [s.type];
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === "string");
  return undefined;
}

export function enumOf(s: Schema): Json[] | undefined {
  if (s.const !== undefined) return [s.const];
  return Array.isArray(s.enum) ? s.enum : undefined;
}

/**
 * A schema node as an object. A node that is no schema at all (null, a number, a string, an
 * array: only a broken or hostile remote sends one) accepts nothing, like `false`, so the compare
 * reports it rather than trusting it or throwing on it.
 */
export function asObject(s: JsonSchema | Json | undefined): Schema {
  if (s === true || s === undefined) return {};
  if (s === false || typeof s !== "object" || s === null || Array.isArray(s)) return { not: {} };
  return s as Schema;
}
