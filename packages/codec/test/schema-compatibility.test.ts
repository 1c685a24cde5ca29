import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { JsonSchema } from "../src/index.js";
import { compareSchemas, describeSchema, isCompatibleSchema, wireSchema } from "../src/index.js";

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
