/**
 * Reading zod's JSON Schema: the few questions the compatibility check asks of a schema node (its
 * types, enum values, union branches, whether it accepts anything) and a short description of it
 * for messages (`string | null`, `enum(a|b)`, `array<integer>`).
 */
import type { Json } from "./fingerprint.js";

/** A JSON Schema object (or `true`/`false`). */
export type JsonSchema = { [key: string]: Json } | boolean;
/** A JSON Schema node as an object. */
export type Schema = { [key: string]: Json };

/** A schema in a few characters, for messages: `string`, `number | null`, `enum(a|b)`, `object`. */
export function describeSchema(s: Json | Schema | undefined): string {
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
  if (alternatives !== undefined) return alternatives.map(describeSchema).join(" | ");
  const types = typesOf(schema);
  if (types === undefined) return schema.$ref !== undefined ? "recursive" : "constrained";
  return types
    .map((t) =>
      t === "array" && schema.items !== undefined ? `array<${describeSchema(schema.items)}>` : t,
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

export function asObject(s: JsonSchema | Json | undefined): Schema {
  if (s === true || s === undefined) return {};
  if (s === false) return { not: {} };
  return s as Schema;
}
