import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Json, JsonSchema } from "../src/index.js";
import {
  compareSchemas,
  describeSchema,
  isCompatibleSchema,
  MAX_SCHEMA_DEPTH,
  wireSchema,
} from "../src/index.js";

const shape = (schema: z.ZodType) => wireSchema(schema) as JsonSchema;
const fits = (writer: z.ZodType, reader: z.ZodType) =>
  isCompatibleSchema(shape(writer), shape(reader));

describe("compareSchemas", () => {
  it("accepts what a reader strips, refuses what a strict reader does not know", () => {
    const wide = z.object({ a: z.number(), b: z.string() });
    expect(fits(wide, z.object({ a: z.number() }))).toBe(true);
    expect(fits(wide, z.looseObject({ a: z.number() }))).toBe(true);
    expect(compareSchemas(shape(wide), shape(z.strictObject({ a: z.number() })))).toContainEqual({
      path: "b",
      writer: "string",
      reader: "absent",
      compatible: false,
      reason: "field unknown to a strict reader",
    });
  });

  it("checks a loose reader's extra keys against a record writer's values", () => {
    const writer = z.record(z.string(), z.number());
    expect(fits(writer, z.record(z.string(), z.number()))).toBe(true);
    expect(fits(writer, z.record(z.string(), z.string()))).toBe(false);
  });

  it("refuses a record whose key schema changed, which it does not reason about", () => {
    const anyKey = z.record(z.string(), z.number());
    const shortKey = z.record(z.string().max(3), z.number());
    expect(shortKey.safeParse({ long: 1 }).success).toBe(false);
    expect(fits(anyKey, shortKey)).toBe(false);
    expect(fits(z.record(z.string().regex(/^a/), z.number()), anyKey)).toBe(false);
    expect(fits(shortKey, shortKey)).toBe(true);
  });

  it("lets integers into a number but not numbers into an integer", () => {
    expect(fits(z.int(), z.number())).toBe(true);
    expect(fits(z.number(), z.int())).toBe(false);
  });

  it("needs every writer union member to fit a reader member", () => {
    const a = z.object({ t: z.literal("a"), x: z.number() });
    const b = z.object({ t: z.literal("b") });
    const c = z.object({ t: z.literal("c") });
    expect(fits(z.discriminatedUnion("t", [a, b]), z.discriminatedUnion("t", [a, b, c]))).toBe(
      true,
    );
    expect(fits(z.discriminatedUnion("t", [a, b, c]), z.discriminatedUnion("t", [a, b]))).toBe(
      false,
    );
    expect(fits(b, z.discriminatedUnion("t", [a, b]))).toBe(true);
  });

  it("compares tuples position by position", () => {
    expect(fits(z.tuple([z.string(), z.int()]), z.tuple([z.string(), z.number()]))).toBe(true);
    expect(fits(z.tuple([z.string(), z.number()]), z.tuple([z.string(), z.string()]))).toBe(false);
    expect(compareSchemas(shape(z.array(z.string())), shape(z.array(z.number())))).toContainEqual(
      expect.objectContaining({
        path: "[]",
        writer: "string",
        reader: "number",
        compatible: false,
      }),
    );
  });

  it("refuses a writer that may send anything to a reader that checks", () => {
    expect(fits(z.unknown(), z.string())).toBe(false);
    expect(fits(z.string(), z.unknown())).toBe(true);
  });

  it("treats a changed recursive schema as incompatible and an unchanged one as equal", () => {
    type Tree = { name: string; children: Tree[] };
    const tree: z.ZodType<Tree> = z.object({
      name: z.string(),
      get children() {
        return z.array(tree);
      },
    });
    type Tree2 = { name: string; size?: number; children: Tree2[] };
    const tree2: z.ZodType<Tree2> = z.object({
      name: z.string(),
      size: z.number().optional(),
      get children() {
        return z.array(tree2);
      },
    });
    expect(compareSchemas(shape(tree), shape(tree))).toEqual([]);
    expect(fits(tree, tree2)).toBe(false);
  });

  it("reads a node that is no schema as accepting nothing, whatever it holds", () => {
    const string = shape(z.string());
    const notSchema = compareSchemas(5 as unknown as JsonSchema, string, "x");
    expect(notSchema).toContainEqual(expect.objectContaining({ path: "x", compatible: false }));
    for (const odd of [[{ $ref: "#" }], [[[{ type: "string" }]]], "string", null]) {
      expect(compareSchemas(odd as unknown as JsonSchema, string, "x")).toEqual(notSchema);
    }
  });

  it("compares bounds: a reader may relax them, not tighten them", () => {
    expect(fits(z.string().min(2), z.string().min(1))).toBe(true);
    expect(fits(z.string().min(1), z.string().min(2))).toBe(false);
    expect(fits(z.string(), z.string().regex(/^a/))).toBe(false);
    expect(fits(z.string().regex(/^a/), z.string())).toBe(true);
  });

  it("describes schemas in a few words", () => {
    expect(describeSchema(shape(z.string().nullable()))).toBe("string | null");
    expect(describeSchema(shape(z.array(z.int())))).toBe("array<integer>");
    expect(describeSchema(shape(z.literal("x")))).toBe("literal(x)");
    expect(describeSchema(shape(z.date()))).toBe("date");
    expect(describeSchema(shape(z.unknown()))).toBe("any");
  });
});

/** `depth` levels of `{"anyOf":[...]}` around `{"type":"string"}`, built without recursion. */
function nestedUnions(depth: number): JsonSchema {
  let schema: JsonSchema = { type: "string" };
  for (let i = 0; i < depth; i++) schema = { anyOf: [schema] };
  return schema;
}

describe("schemas nested too deep", () => {
  it("reports a 100,000-deep schema as incompatible instead of overflowing the stack", () => {
    const deep = nestedUnions(100_000);
    const string = shape(z.string());
    for (const [w, r, writer, reader] of [
      [string, deep, "schema", "shape too deep"],
      [deep, string, "shape too deep", "schema"],
    ] as const) {
      expect(compareSchemas(w, r, "input")).toEqual([
        {
          path: "input",
          writer,
          reader,
          compatible: false,
          reason: `shape too deep: over ${MAX_SCHEMA_DEPTH} levels of nesting`,
        },
      ]);
    }
    expect(describeSchema(deep)).toMatch(/^string|\.\.\.$/);
  });

  it("reports a schema too deep even when both sides hold the same one", () => {
    const deep = nestedUnions(MAX_SCHEMA_DEPTH);
    for (const other of [deep, structuredClone(deep)]) {
      expect(compareSchemas(deep, other, "x")).toEqual([
        {
          path: "x",
          writer: "shape too deep",
          reader: "shape too deep",
          compatible: false,
          reason: `shape too deep: over ${MAX_SCHEMA_DEPTH} levels of nesting`,
        },
      ]);
    }
  });

  it("still compares a schema just within the limit", () => {
    // Each anyOf level is two levels of JSON (the object and its array).
    const within = nestedUnions(Math.floor((MAX_SCHEMA_DEPTH - 1) / 2));
    expect(isCompatibleSchema(within, within)).toBe(true);
    // Compared once per pair of branches: this took 2^31 compares before, and never finished.
    expect(isCompatibleSchema(shape(z.string()), within)).toBe(true);
    expect(isCompatibleSchema(shape(z.number()), within)).toBe(false);
  });
});

// Schema-like JSON: the keywords the compare reads, with values of any JSON type (a remote may send
// anything), nested a few levels.
const { schema: schemaLike } = fc.letrec((tie) => ({
  schema: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        type: fc.oneof(
          fc.constantFrom("object", "array", "string", "number", "integer", "null"),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        properties: fc.dictionary(
          fc.constantFrom("a", "b", "constructor", "__proto__", "toString"),
          tie("schema"),
          { maxKeys: 3 },
        ),
        required: fc.array(fc.oneof(fc.constantFrom("a", "b"), fc.jsonValue({ maxDepth: 1 })), {
          maxLength: 2,
        }),
        additionalProperties: tie("schema"),
        items: tie("schema"),
        prefixItems: fc.oneof(
          fc.array(tie("schema"), { maxLength: 2 }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        anyOf: fc.oneof(fc.array(tie("schema"), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
        enum: fc.oneof(
          fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        const: fc.jsonValue({ maxDepth: 2 }),
        minimum: fc.oneof(fc.integer(), fc.jsonValue({ maxDepth: 1 })),
        maxLength: fc.oneof(fc.nat(), fc.jsonValue({ maxDepth: 1 })),
        pattern: fc.jsonValue({ maxDepth: 1 }),
        $ref: fc.constant("#"),
      },
      { requiredKeys: [] },
    ),
  ),
}));

describe("compareSchemas on arbitrary input", () => {
  it("never throws and always answers with findings, whatever JSON either side holds", () => {
    fc.assert(
      fc.property(schemaLike, schemaLike, fc.boolean(), (w, r, deepen) => {
        // Sometimes wrapped past the limit, so the too-deep path is exercised with random content.
        const wrap = (s: Json) => (deepen ? { anyOf: [nestedUnions(MAX_SCHEMA_DEPTH), s] } : s);
        const findings = compareSchemas(wrap(w as Json) as JsonSchema, r as JsonSchema, "x");
        expect(Array.isArray(findings)).toBe(true);
        for (const f of findings) {
          expect(typeof f.compatible).toBe("boolean");
          expect(f.path.startsWith("x")).toBe(true);
        }
        if (deepen) expect(findings.some((f) => f.reason.startsWith("shape too deep"))).toBe(true);
        expect(typeof describeSchema(r as Json)).toBe("string");
      }),
      { seed: 1407, numRuns: 500 },
    );
  });

  it("finds no difference between a schema and its copy off the wire, whatever it holds", () => {
    fc.assert(
      fc.property(schemaLike, (s) => {
        const copy = JSON.parse(JSON.stringify(s)) as JsonSchema;
        expect(compareSchemas(s as JsonSchema, copy, "x")).toEqual([]);
      }),
      { seed: 1407, numRuns: 500 },
    );
  });
});
