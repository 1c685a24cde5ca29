import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type AnyContract,
  type ContractDefinition,
  defineContract,
  diffContracts,
} from "../src/index.js";
import { agreeMembers, contractMembers } from "../src/internal.js";

const tail = {
  input: z.object({ file: z.string() }),
  yields: z.object({ line: z.string(), at: z.string().transform((s) => new Date(s)) }),
  output: z.object({ lines: z.number() }),
  timeoutMs: 30_000,
};
const upload = {
  input: z.object({ name: z.string() }),
  accepts: z.object({ chunk: z.string(), n: z.number().default(0) }),
  timeoutMs: Number.POSITIVE_INFINITY,
};
const add = { input: z.object({ a: z.number() }), output: z.number() };
const feed = defineContract({
  name: "feed",
  version: 1,
  requests: { add, tail, upload },
  validateOutbound: true,
});

function definitionError(requests: unknown): { code?: string; message: string } {
  try {
    defineContract({ name: "x", version: 1, requests } as never);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("defineContract accepted the definition");
}

describe("stream methods in a contract", () => {
  it("reports what each stream method carries and its deadline; nothing for a unary one", () => {
    expect(feed.streamOf("tail")).toEqual({ yields: true, accepts: false, timeoutMs: 30_000 });
    expect(feed.streamOf("upload")).toEqual({
      yields: false,
      accepts: true,
      timeoutMs: Number.POSITIVE_INFINITY,
    });
    expect(feed.streamOf("add")).toBeUndefined();
    expect(feed.streamOf("nope")).toBeUndefined();
    expect(Object.isFrozen(feed.streamOf("tail"))).toBe(true);
  });

  it("refuses a stream method without a valid timeoutMs, naming the field and the rule", () => {
    const bad = [undefined, 0, -1, 0.5, Number.NaN, 2 ** 31, "1000", Number.NEGATIVE_INFINITY];
    for (const timeoutMs of bad) {
      const error = definitionError({ t: { ...tail, timeoutMs } });
      expect(error.code, String(timeoutMs)).toBe("INVALID_OPTION");
      expect(error.message).toContain("requests.t.timeoutMs must be a number from 1 to 2147483647");
      expect(error.message).toContain("Infinity");
    }
  });

  it("refuses timeoutMs on a unary method, whose deadline comes with each call", () => {
    const error = definitionError({ u: { ...add, timeoutMs: 1000 } });
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.message).toContain("requests.u.timeoutMs is for stream methods");
  });

  it("refuses yields or accepts that are not zod schemas, and a unary method without output", () => {
    const cases: [unknown, string][] = [
      [{ t: { ...tail, yields: "string" } }, "requests.t.yields must be a zod schema"],
      [{ t: { ...upload, accepts: {} } }, "requests.t.accepts must be a zod schema"],
      [{ t: { ...tail, output: 1 } }, "requests.t.output must be a zod schema"],
      [{ t: { input: z.string(), timeoutMs: 5 } }, "requests.t.output must be a zod schema"],
    ];
    for (const [requests, message] of cases) {
      const error = definitionError(requests);
      expect(error.code).toBe("INVALID_OPTION");
      expect(error.message).toContain(message);
    }
  });

  it("validates items that arrive against yields (caller) and accepts (handler), with transforms and defaults", () => {
    expect(feed.parseItem("tail", { line: "a", at: "2026-01-02T00:00:00Z" })).toEqual({
      ok: true,
      value: { line: "a", at: new Date("2026-01-02T00:00:00Z") },
    });
    expect(feed.parseInputItem("upload", { chunk: "x" })).toEqual({
      ok: true,
      value: { chunk: "x", n: 0 },
    });
    const badItem = feed.parseItem("tail", { line: 1, at: "x" });
    expect(badItem.ok).toBe(false);
    if (!badItem.ok) {
      expect(badItem.error.code).toBe("INVALID_RESPONSE");
      expect(badItem.error.issues[0]?.path).toEqual(["line"]);
    }
    const badInput = feed.parseInputItem("upload", { chunk: 3 });
    expect(badInput.ok ? undefined : badInput.error.code).toBe("INVALID_ARGUMENT");
  });

  it("fails items for a method that carries none that way, even with inbound validation off", () => {
    const trusting = defineContract({
      name: "feed",
      version: 1,
      requests: { add, tail, upload },
      validateInbound: false,
    });
    for (const contract of [feed, trusting]) {
      const item = contract.parseItem("upload", "x");
      expect(item.ok ? undefined : item.error.code).toBe("INVALID_RESPONSE");
      const input = contract.parseInputItem("tail", "x");
      expect(input.ok ? undefined : input.error.code).toBe("INVALID_ARGUMENT");
      expect(contract.parseItem("add", 1).ok).toBe(false);
    }
    expect(trusting.parseItem("tail", { bogus: true })).toEqual({
      ok: true,
      value: { bogus: true },
    });
  });

  it("accepts only undefined as the output of a stream method that declares none", () => {
    expect(feed.parseOutput("upload", undefined)).toEqual({ ok: true, value: undefined });
    const result = feed.parseOutput("upload", { bytes: 1 });
    expect(result.ok ? undefined : result.error.code).toBe("INVALID_RESPONSE");
    const outbound = feed.checkOutboundOutput("upload", 5);
    expect(outbound.ok ? undefined : outbound.error.code).toBe("INVALID_RESPONSE");
  });

  it("checks items before they leave when validateOutbound is on, sending them as given", () => {
    const item = { line: "a", at: "2026-01-02T00:00:00Z" };
    expect(feed.checkOutboundItem("tail", item)).toEqual({ ok: true, value: item });
    const bad = feed.checkOutboundItem("tail", { line: "a" });
    expect(bad.ok ? undefined : bad.error.code).toBe("INVALID_RESPONSE");
    expect(feed.checkOutboundInputItem("upload", { chunk: "x" })).toEqual({
      ok: true,
      value: { chunk: "x" },
    });
    const badInput = feed.checkOutboundInputItem("upload", {});
    expect(badInput.ok ? undefined : badInput.error.code).toBe("INVALID_ARGUMENT");
  });

  it("throws INVALID_OPTION for an item of a method the contract lacks", () => {
    expect(() => (feed as AnyContract).parseItem("nope", 1)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
    expect(() => (feed as AnyContract).parseInputItem("nope", 1)).toThrow("has no request method");
  });
});

describe("stream methods in per-method agreement", () => {
  const served = { name: "feed", version: 1, requests: { tail } } satisfies ContractDefinition;

  it("renders a stream method's items into its member shape, and leaves unary shapes as they were", () => {
    const [member] = contractMembers(served);
    expect(JSON.parse(member!.shape)).toHaveProperty("yields");
    expect(JSON.parse(member!.shape)).not.toHaveProperty("accepts");
    const unary = contractMembers({ name: "u", version: 1, requests: { add } })[0]!;
    expect(Object.keys(JSON.parse(unary.shape)).sort()).toEqual(["input", "output"]);
  });

  it("finds a caller and a server that disagree on whether a method streams", () => {
    const { yields: _yields, timeoutMs: _timeoutMs, ...unaryTail } = tail;
    const caller = { ...served, requests: { tail: unaryTail } };
    const { incompatible } = agreeMembers(caller, contractMembers(served));
    expect(incompatible).toContainEqual(
      expect.objectContaining({ name: "tail", path: "yields", callerType: "absent" }),
    );
    expect(agreeMembers(served, contractMembers(served)).incompatible).toEqual([]);
  });

  it("compares yielded items as the server's output: a field the caller needs and the server never sends is incompatible", () => {
    const more = { ...tail, yields: tail.yields.extend({ level: z.string() }) };
    const caller = { ...served, requests: { tail: more } };
    const { incompatible } = agreeMembers(caller, contractMembers(served));
    expect(incompatible.map((i) => i.path)).toContain("yields.level");
  });

  it("lists a change of yields or accepts in a contract diff", () => {
    const newer = {
      ...served,
      requests: { tail: { ...tail, yields: z.object({ line: z.number() }) } },
    };
    const diff = diffContracts(served, newer);
    expect(diff.changes.map((c) => c.path)).toContain("yields.line");
  });
});
