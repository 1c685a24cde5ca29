/**
 * Schema traits: what the compatibility check must know of a whole schema before it compares one
 * node (is it nested deeper than {@link MAX_SCHEMA_DEPTH}, does it hold a `$ref`), found in one
 * bounded walk, and a bounded test of whether two schemas are equal. Both are cheap enough to run
 * for every schema a Hello compares; the traits of a local schema are computed once (see
 * contract-members.ts), since they are known before any Hello.
 */
import type { Json } from "./fingerprint.js";
import { MAX_SCHEMA_DEPTH } from "./schema-description.js";

/** What one walk of a schema found. */
export interface SchemaTraits {
  /** Objects and arrays nest more than {@link MAX_SCHEMA_DEPTH} levels somewhere in it. */
  readonly tooDeep: boolean;
  /** A `$ref` keyword somewhere in it (the schema may refer back up its own tree). */
  readonly hasRef: boolean;
}

const TOO_DEEP = 1;
const HAS_REF = 2;
const TRAITS: readonly SchemaTraits[] = [
  { tooDeep: false, hasRef: false },
  { tooDeep: true, hasRef: false },
  { tooDeep: false, hasRef: true },
  { tooDeep: true, hasRef: true },
].map((t) => Object.freeze(t));

/** The traits of `schema` (any JSON: a remote's may hold anything). */
export function schemaTraits(schema: Json): SchemaTraits {
  const found = walk(schema, 1);
  // Only an object is read as a schema (an array is no schema at all: see asObject), so only an
  // object's `$ref`s count; its depth counts whatever it is.
  return TRAITS[Array.isArray(schema) ? found & TOO_DEEP : found]!;
}

// Recursive, but never past MAX_SCHEMA_DEPTH + 1 frames: a node deeper than that ends the walk
// before its children are visited. One walk finds both traits, with no allocation per node (the
// two separate walks it replaces, one of them with a stack of pairs, cost as much as the compare).
function walk(node: Json | undefined, depth: number): number {
  if (typeof node !== "object" || node === null) return 0;
  if (depth > MAX_SCHEMA_DEPTH) return TOO_DEEP;
  let found = 0;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length && (found & TOO_DEEP) === 0; i++) {
      found |= walk(node[i], depth + 1);
    }
    return found;
  }
  for (const key in node) {
    if (key === "$ref") found |= HAS_REF;
    found |= walk(node[key], depth + 1);
    // Too deep decides the verdict whatever else the schema holds: no need to look further.
    if ((found & TOO_DEEP) !== 0) return found;
  }
  return found;
}

/**
 * True when `a` and `b` are equal JSON within {@link MAX_SCHEMA_DEPTH} levels of nesting; false
 * when they differ or are equal only deeper than that (the caller then looks closer). Keys in any
 * order; stops at the first difference, so a changed schema costs only the walk up to its change.
 */
export function sameSchema(a: Json | undefined, b: Json | undefined): boolean {
  return same(a, b, 1);
}

function same(a: Json | undefined, b: Json | undefined, depth: number): boolean {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b;
  // Even one object passed as both: equal, but its depth is not known until walked.
  if (depth > MAX_SCHEMA_DEPTH) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // The keys first, then the values: an added or removed key (the usual change) is found
  // without walking into any value.
  let keys = 0;
  for (const _ in b) keys++;
  for (const key in a) {
    // Own keys only on `b`: a key named `constructor` is not inherited from Object.prototype.
    if (!Object.hasOwn(b, key)) return false;
    keys--;
  }
  if (keys !== 0) return false;
  for (const key in a) if (!same(a[key], b[key], depth + 1)) return false;
  return true;
}
