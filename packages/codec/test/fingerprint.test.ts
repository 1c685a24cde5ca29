import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type ContractDefinition, contractFingerprint, defineContract } from "../src/index.js";
import { fnv1a64 } from "../src/internal.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

// The textbook definition, one byte at a time in BigInt, to check the 16-bit-limb version against.
function referenceFnv1a64(bytes: Uint8Array): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, "0");
}

const base = {
  name: "users",
  version: 1,
  requests: {
    get: {
      input: z.object({ id: z.string(), fields: z.array(z.string()).optional() }),
      output: z.object({ id: z.string(), name: z.string(), born: z.date() }),
      idempotent: true,
    },
    rename: { input: z.object({ id: z.string(), name: z.string() }), output: z.void() },
  },
  signals: { changed: z.object({ id: z.string() }) },
} satisfies ContractDefinition;

const fingerprint = (definition: ContractDefinition) => contractFingerprint(definition);
const withRequests = (requests: ContractDefinition["requests"]) => ({ ...base, requests });

describe("FNV-1a 64", () => {
  it("matches the published test vectors", () => {
    expect(fnv1a64(utf8(""))).toBe("cbf29ce484222325");
    expect(fnv1a64(utf8("a"))).toBe("af63dc4c8601ec8c");
    expect(fnv1a64(utf8("foobar"))).toBe("85944171f73967e8");
  });

  it("matches a BigInt reference implementation on any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(fnv1a64(bytes)).toBe(referenceFnv1a64(bytes));
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});

describe("contract fingerprint", () => {
  it("is 16 lowercase hex digits, computed once and cached", () => {
    const contract = defineContract(base);
    expect(contract.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(contract.fingerprint).toBe(contract.fingerprint);
    expect(contract.fingerprint).toBe(fingerprint(base));
  });

  it("stays the same across processes and releases for the same contract", () => {
    // A golden value: if a zod upgrade changes its JSON Schema output, peers on different versions
    // would disagree, and this test is where that shows first.
    expect(fingerprint(base)).toBe("ac59922390c938a9");
  });

  it("changes with the name, a method or signal name, an idempotent flag or any schema", () => {
    const { get, rename } = base.requests;
    const variants: ContractDefinition[] = [
      { ...base, name: "people" },
      withRequests({ fetch: get, rename }),
      withRequests({ get }),
      withRequests({ get: { ...get, idempotent: false }, rename }),
      withRequests({ get: { ...get, input: z.object({ id: z.number() }) }, rename }),
      withRequests({ get: { ...get, input: z.object({ id: z.string().optional() }) }, rename }),
      withRequests({ get: { ...get, output: get.output.extend({ born: z.bigint() }) }, rename }),
      withRequests({ get: { ...get, output: get.output.extend({ extra: z.string() }) }, rename }),
      withRequests({ get: { ...get, input: z.object({ id: z.string().max(10) }) }, rename }),
      { ...base, signals: { updated: base.signals.changed } },
      { ...base, signals: {} },
    ];
    const seen = new Set([fingerprint(base)]);
    for (const variant of variants) seen.add(fingerprint(variant));
    expect(seen.size).toBe(variants.length + 1);
  });

  it("ignores the version, flags, descriptions, default values, order and refinements", () => {
    const { get, rename } = base.requests;
    const same: ContractDefinition[] = [
      { ...base, version: "2.0.0" },
      { ...base, validateInbound: false, validateOutbound: true, compileSchemas: false },
      withRequests({ rename, get }),
      withRequests({
        get: {
          ...get,
          input: z
            .object({ fields: z.array(z.string()).optional().describe("which"), id: z.string() })
            .meta({ title: "GetInput", description: "get one user" }),
        },
        rename,
      }),
      withRequests({
        get,
        rename: { ...rename, input: rename.input.refine((v) => v.name !== v.id) },
      }),
    ];
    for (const variant of same) expect(fingerprint(variant)).toBe(fingerprint(base));
    const defaulted = (value: string) =>
      withRequests({
        get: { ...get, input: get.input.extend({ lang: z.string().default(value) }) },
        rename,
      });
    expect(fingerprint(defaulted("en"))).toBe(fingerprint(defaulted("fr")));
  });

  it("keeps property names that look like annotation keywords", () => {
    const described = (field: z.ZodType) =>
      withRequests({ get: { ...base.requests.get, input: z.object({ description: field }) } });
    expect(fingerprint(described(z.string()))).not.toBe(fingerprint(described(z.number())));
    expect(fingerprint(described(z.string()))).not.toBe(
      fingerprint(withRequests({ get: { ...base.requests.get, input: z.object({}) } })),
    );
  });

  it("handles recursive schemas", () => {
    type Node = { name: string; children: Node[] };
    const TreeNode: z.ZodType<Node> = z.object({
      name: z.string(),
      get children() {
        return z.array(TreeNode);
      },
    });
    const tree = {
      name: "tree",
      version: 1,
      requests: { walk: { input: TreeNode, output: z.number() } },
    };
    expect(fingerprint(tree)).toBe(fingerprint({ ...tree }));
    expect(fingerprint(tree)).not.toBe(
      fingerprint({ ...tree, requests: { walk: { input: z.string(), output: z.number() } } }),
    );
  });
});

describe("contract fingerprint of stream methods", () => {
  const tail = {
    input: z.object({ file: z.string() }),
    yields: z.object({ line: z.string() }),
    output: z.object({ lines: z.number() }),
    timeoutMs: 30_000,
  };
  const streaming = withRequests({ ...base.requests, tail });

  it("stays the same across releases for a contract with a stream method", () => {
    // Golden, as for unary contracts above; base's own golden value shows that unary methods render
    // as they did before streams existed.
    expect(fingerprint(streaming)).toBe("01d4a29925a8ce8a");
  });

  it("changes with yields, accepts, their schemas, and an output that appears or goes", () => {
    const { yields, output, ...bare } = tail;
    const variants: ContractDefinition[] = [
      withRequests({ ...base.requests, tail: { ...tail, yields: z.object({ line: z.number() }) } }),
      withRequests({ ...base.requests, tail: { ...bare, output, accepts: yields } }),
      withRequests({ ...base.requests, tail: { ...tail, accepts: yields } }),
      withRequests({ ...base.requests, tail: { ...bare, yields } }),
      withRequests({
        ...base.requests,
        tail: { input: tail.input, output, timeoutMs: 1 } as never,
      }),
    ];
    const seen = new Set([fingerprint(streaming)]);
    for (const variant of variants) seen.add(fingerprint(variant));
    expect(seen.size).toBe(variants.length + 1);
  });

  it("ignores a stream's timeoutMs, which each call carries as its own budget", () => {
    for (const timeoutMs of [1, 5000, Number.POSITIVE_INFINITY]) {
      const variant = withRequests({ ...base.requests, tail: { ...tail, timeoutMs } });
      expect(fingerprint(variant)).toBe(fingerprint(streaming));
    }
  });
});
