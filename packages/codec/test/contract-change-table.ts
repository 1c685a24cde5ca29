/**
 * The table of contract changes and their verdicts: contract-diff.test.ts runs every row, and
 * docs/contract-changes.md shows the same rows (a test keeps the two in step).
 */
import { z } from "zod";
import type { ChangeVerdict, ContractDefinition, RequestDefinition } from "../src/index.js";

export interface ChangeRow {
  /** The change, as docs/contract-changes.md names it. */
  readonly change: string;
  readonly before: ContractDefinition;
  readonly after: ContractDefinition;
  readonly verdict: ChangeVerdict;
  /** The change the diff must report: where, and the old and new types. */
  readonly expect?: { readonly path: string; readonly oldType: string; readonly newType: string };
}

const item = z.object({ key: z.string() });

function method(input: z.ZodType, output: z.ZodType, idempotent?: boolean): ContractDefinition {
  return { name: "kv", version: 1, requests: { get: { input, output, idempotent } } };
}

/** `get` as a stream method of version `version`, with the given parts. */
function streaming(
  version: number,
  parts: { yields?: z.ZodType; accepts?: z.ZodType; output?: z.ZodType },
): ContractDefinition {
  const get = { input: item, ...parts, timeoutMs: 1_000 } as RequestDefinition;
  return { name: "kv", version, requests: { get } };
}

function inputs(before: z.ZodType, after: z.ZodType): [ContractDefinition, ContractDefinition] {
  return [method(before, z.string()), { ...method(after, z.string()), version: 2 }];
}

function outputs(before: z.ZodType, after: z.ZodType): [ContractDefinition, ContractDefinition] {
  return [method(item, before), { ...method(item, after), version: 2 }];
}

function row(
  change: string,
  [before, after]: [ContractDefinition, ContractDefinition],
  verdict: ChangeVerdict,
  expect?: ChangeRow["expect"],
): ChangeRow {
  return { change, before, after, verdict, expect };
}

const withTtl = (ttl: z.ZodType) => z.object({ key: z.string(), ttl });
const color = (values: [string, ...string[]]) =>
  z.object({ key: z.string(), color: z.enum(values) });
const value = (v: z.ZodType) => z.object({ value: v });

export const CHANGE_TABLE: readonly ChangeRow[] = [
  row("input: optional field added", inputs(item, withTtl(z.number().optional())), "compatible", {
    path: "input.ttl",
    oldType: "absent",
    newType: "number?",
  }),
  row(
    "input: field with a default added",
    inputs(item, withTtl(z.number().default(60))),
    "compatible",
  ),
  row("input: required field added", inputs(item, withTtl(z.number())), "callers-first", {
    path: "input.ttl",
    oldType: "absent",
    newType: "number",
  }),
  row(
    "input: nested required field added",
    inputs(
      z.object({ user: z.object({ id: z.string() }) }),
      z.object({ user: z.object({ id: z.string(), email: z.string() }) }),
    ),
    "callers-first",
    { path: "input.user.email", oldType: "absent", newType: "string" },
  ),
  row("input: field removed", inputs(withTtl(z.number()), item), "servers-first", {
    path: "input.ttl",
    oldType: "number",
    newType: "absent",
  }),
  row(
    "input: optional field made required",
    inputs(withTtl(z.number().optional()), withTtl(z.number())),
    "callers-first",
  ),
  row("input: field type changed", inputs(withTtl(z.number()), withTtl(z.string())), "breaking", {
    path: "input.ttl",
    oldType: "number",
    newType: "string",
  }),
  row(
    "input: number narrowed to integer",
    inputs(withTtl(z.number()), withTtl(z.int())),
    "callers-first",
  ),
  row(
    "input: null allowed",
    inputs(withTtl(z.string()), withTtl(z.string().nullable())),
    "servers-first",
    {
      path: "input.ttl",
      oldType: "string",
      newType: "string | null",
    },
  ),
  row(
    "input: enum widened",
    inputs(color(["red", "blue"]), color(["red", "blue", "green"])),
    "servers-first",
    {
      path: "input.color",
      oldType: "enum(blue|red)",
      newType: "enum(blue|green|red)",
    },
  ),
  row("input: enum narrowed", inputs(color(["red", "blue"]), color(["red"])), "callers-first"),
  row(
    "input: maximum length tightened",
    inputs(withTtl(z.string().max(64)), withTtl(z.string().max(8))),
    "callers-first",
  ),
  row(
    "input: optional field added, old server strict",
    inputs(
      z.strictObject({ key: z.string() }),
      z.strictObject({ key: z.string(), ttl: z.number().optional() }),
    ),
    "servers-first",
  ),
  row(
    "output: optional field added",
    outputs(value(z.string()), z.object({ value: z.string(), etag: z.string().optional() })),
    "compatible",
  ),
  row(
    "output: required field added",
    outputs(value(z.string()), z.object({ value: z.string(), etag: z.string() })),
    "servers-first",
    {
      path: "output.etag",
      oldType: "absent",
      newType: "string",
    },
  ),
  row(
    "output: field removed",
    outputs(z.object({ value: z.string(), etag: z.string() }), value(z.string())),
    "callers-first",
  ),
  row("output: field type changed", outputs(value(z.string()), value(z.number())), "breaking", {
    path: "output.value",
    oldType: "string",
    newType: "number",
  }),
  row(
    "output: enum widened",
    outputs(value(z.enum(["a", "b"])), value(z.enum(["a", "b", "c"]))),
    "callers-first",
  ),
  row(
    "output: enum narrowed",
    outputs(value(z.enum(["a", "b"])), value(z.enum(["a"]))),
    "servers-first",
  ),
  row("output: date became bigint", outputs(value(z.date()), value(z.bigint())), "breaking", {
    path: "output.value",
    oldType: "date",
    newType: "bigint",
  }),
  row(
    "description changed only",
    inputs(item, z.object({ key: z.string().describe("the key") })),
    "compatible",
  ),
  row(
    "method added",
    [
      method(item, z.string()),
      {
        ...method(item, z.string()),
        requests: { ...method(item, z.string()).requests, put: { input: item, output: z.null() } },
      },
    ],
    "compatible",
    { path: "", oldType: "absent", newType: "method" },
  ),
  row(
    "method removed",
    [
      {
        ...method(item, z.string()),
        requests: { ...method(item, z.string()).requests, put: { input: item, output: z.null() } },
      },
      method(item, z.string()),
    ],
    "callers-first",
  ),
  row(
    "idempotent dropped",
    [method(item, z.string(), true), method(item, z.string(), false)],
    "callers-first",
  ),
  row(
    "idempotent added",
    [method(item, z.string(), false), method(item, z.string(), true)],
    "servers-first",
  ),
  row(
    "stream: yields added",
    [method(item, z.string()), streaming(2, { yields: z.string(), output: z.string() })],
    "breaking",
    { path: "yields", oldType: "absent", newType: "yields" },
  ),
  row(
    "stream: output added",
    [
      streaming(1, { yields: z.string() }),
      streaming(2, { yields: z.string(), output: z.number() }),
    ],
    "breaking",
    { path: "output", oldType: "undefined", newType: "number" },
  ),
  row(
    "stream: accepts removed",
    [
      streaming(1, { accepts: z.string(), output: z.string() }),
      { ...method(item, z.string()), version: 2 },
    ],
    "breaking",
    { path: "accepts", oldType: "accepts", newType: "absent" },
  ),
  row(
    "signal: optional field added",
    [
      { name: "kv", version: 1, signals: { evicted: item } },
      { name: "kv", version: 2, signals: { evicted: withTtl(z.number().optional()) } },
    ],
    "compatible",
  ),
  row(
    "signal: required field added",
    [
      { name: "kv", version: 1, signals: { evicted: item } },
      { name: "kv", version: 2, signals: { evicted: withTtl(z.number()) } },
    ],
    "callers-first",
  ),
  row(
    "contract renamed",
    [method(item, z.string()), { ...method(item, z.string()), name: "store" }],
    "breaking",
  ),
];
