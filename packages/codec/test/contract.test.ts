import { isParleyError } from "@parley/framing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type ContractValidationError,
  createMsgpackCodec,
  DEFAULT_COMPILE_SCHEMAS,
  DEFAULT_VALIDATE_INBOUND,
  DEFAULT_VALIDATE_OUTBOUND,
  defineContract,
  MAX_REPORTED_ISSUES,
  toWireError,
} from "../src/index.js";

const Point = z.object({ x: z.number(), y: z.number() });

const shapes = defineContract({
  name: "shapes",
  version: 2,
  requests: {
    area: {
      input: z.object({ w: z.number(), h: z.number().default(1) }),
      output: z.number(),
      idempotent: true,
    },
    parse: { input: z.string(), output: z.string().transform((s) => s.length) },
    save: { input: z.object({ points: z.array(Point) }), output: z.void() },
  },
  signals: { moved: Point, reset: z.object({ reason: z.string().min(3) }) },
});

function failure(result: {
  ok: boolean;
  error?: ContractValidationError;
}): ContractValidationError {
  expect(result.ok).toBe(false);
  return result.error!;
}

describe("defineContract", () => {
  it("keeps the name, version and definition and lists requests and signals in order", () => {
    expect(shapes.name).toBe("shapes");
    expect(shapes.version).toBe(2);
    expect(shapes.definition.requests.area.idempotent).toBe(true);
    expect(shapes.requestNames).toEqual(["area", "parse", "save"]);
    expect(shapes.signalNames).toEqual(["moved", "reset"]);
    expect(Object.isFrozen(shapes)).toBe(true);
  });

  it("knows its own method and signal names only, never inherited ones", () => {
    expect(shapes.hasRequest("area")).toBe(true);
    expect(shapes.hasRequest("moved")).toBe(false);
    expect(shapes.hasSignal("moved")).toBe(true);
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty", ""]) {
      expect(shapes.hasRequest(name)).toBe(false);
      expect(shapes.hasSignal(name)).toBe(false);
    }
  });

  it("reports idempotent methods, and false for the rest and for unknown names", () => {
    expect(shapes.isIdempotent("area")).toBe(true);
    expect(shapes.isIdempotent("parse")).toBe(false);
    expect(shapes.isIdempotent("nope")).toBe(false);
  });

  it("defaults to inbound validation on, outbound off and compiled schemas", () => {
    expect([DEFAULT_VALIDATE_INBOUND, DEFAULT_VALIDATE_OUTBOUND, DEFAULT_COMPILE_SCHEMAS]).toEqual([
      true,
      false,
      true,
    ]);
    expect(shapes.validateInbound).toBe(true);
    expect(shapes.validateOutbound).toBe(false);
  });

  it("accepts a contract with no requests or no signals", () => {
    const empty = defineContract({ name: "empty", version: "1.0" });
    expect(empty.requestNames).toEqual([]);
    expect(empty.signalNames).toEqual([]);
  });

  it("refuses malformed definitions with INVALID_OPTION naming the field", () => {
    const cases: [unknown, string][] = [
      [{ version: 1 }, "name"],
      [{ name: "", version: 1 }, "name"],
      [{ name: "a", version: "" }, "version"],
      [{ name: "a", version: Number.NaN }, "version"],
      [{ name: "a", version: 1, requests: { m: { input: z.string() } } }, "requests.m.output"],
      [
        { name: "a", version: 1, requests: { m: { input: {}, output: z.string() } } },
        "requests.m.input",
      ],
      [{ name: "a", version: 1, requests: { m: null } }, "requests.m"],
      [
        {
          name: "a",
          version: 1,
          requests: { m: { input: z.string(), output: z.string(), idempotent: 1 } },
        },
        "idempotent",
      ],
      [{ name: "a", version: 1, requests: [] }, "requests"],
      [{ name: "a", version: 1, signals: { s: "string" } }, "signals.s"],
      [{ name: "a", version: 1, validateInbound: "no" }, "validateInbound"],
      [
        { name: "a", version: 1, requests: { "": { input: z.string(), output: z.string() } } },
        "empty name",
      ],
    ];
    for (const [definition, field] of cases) {
      let error: unknown;
      try {
        defineContract(definition as never);
      } catch (caught) {
        error = caught;
      }
      expect((error as { code?: string })?.code, field).toBe("INVALID_OPTION");
      expect(String((error as Error).message), field).toContain(field);
    }
  });

  it("refuses asynchronous schemas, which a synchronous boundary check cannot run", () => {
    const definition = {
      name: "a",
      version: 1,
      requests: { m: { input: z.string().refine(async (s) => s.length > 0), output: z.string() } },
    };
    expect(() => defineContract(definition)).toThrow("requests.m.input is asynchronous");
  });
});

describe("contract validation at the trust boundaries", () => {
  it("gives the handler zod's output for a valid request input, defaults applied", () => {
    expect(shapes.parseInput("area", { w: 3 })).toStrictEqual({ ok: true, value: { w: 3, h: 1 } });
  });

  it("gives the caller zod's output for a valid response, transforms applied", () => {
    expect(shapes.parseOutput("parse", "four")).toStrictEqual({ ok: true, value: 4 });
  });

  it("fails a bad request input with INVALID_ARGUMENT and a short path + message summary", () => {
    const error = failure(shapes.parseInput("area", { w: "3", h: null }));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.retryable).toBe(false);
    expect(isParleyError(error)).toBe(true);
    expect(error.message).toBe(
      "invalid request input for shapes.area: w: Invalid input: expected number, received string; " +
        "h: Invalid input: expected number, received null",
    );
    expect(error.issues).toEqual([
      {
        path: ["w"],
        message: "Invalid input: expected number, received string",
        code: "invalid_type",
      },
      {
        path: ["h"],
        message: "Invalid input: expected number, received null",
        code: "invalid_type",
      },
    ]);
    expect(error.data).toBe(error.issues);
    expect([error.contract, error.member]).toEqual(["shapes", "area"]);
  });

  it("fails a bad response with INVALID_RESPONSE and a bad signal with INVALID_SIGNAL", () => {
    expect(failure(shapes.parseOutput("area", "big")).code).toBe("INVALID_RESPONSE");
    const signal = failure(shapes.parseSignal("reset", { reason: "x" }));
    expect(signal.code).toBe("INVALID_SIGNAL");
    expect(signal.message).toMatch(/^invalid signal payload for shapes\.reset: reason: /);
  });

  it("refuses a value whose schema throws (a transform, a refine) as invalid, the throw kept here", () => {
    const links = defineContract({
      name: "links",
      version: 1,
      requests: {
        host: {
          input: z.string().transform((s) => new URL(s).host),
          output: z.string().refine(() => {
            throw new Error("lookup at 10.0.0.5 failed");
          }),
        },
      },
      validateOutbound: true,
    });
    expect(links.parseInput("host", "https://example.com/x")).toStrictEqual({
      ok: true,
      value: "example.com",
    });
    const input = failure(links.parseInput("host", "not a url"));
    expect(input.code).toBe("INVALID_ARGUMENT");
    expect(input.message).toBe(
      "invalid request input for links.host: (root): the schema threw while checking the value",
    );
    expect(input.cause).toBeInstanceOf(TypeError);
    const output = failure(links.checkOutboundOutput("host", "example.com"));
    expect(output.code).toBe("INVALID_RESPONSE");
    expect((output.cause as Error).message).toBe("lookup at 10.0.0.5 failed");
    // What is sent says nothing of what was thrown.
    expect(JSON.stringify(toWireError(output))).not.toContain("10.0.0.5");
  });

  it("renders nested paths and the root, quotes three issues and counts the rest", () => {
    const points = Array.from({ length: 30 }, () => ({ x: "a", y: 0 }));
    const error = failure(shapes.parseInput("save", { points }));
    expect(error.message).toContain("points[0].x: Invalid input");
    expect(error.message).toMatch(/points\[2\]\.x: [^;]+ \(\+27 more\)$/);
    expect(error.issues).toHaveLength(MAX_REPORTED_ISSUES);
    expect(failure(shapes.parseInput("parse", 5)).message).toContain(": (root): Invalid input");
  });

  it("throws INVALID_OPTION for a method or signal the contract lacks", () => {
    const loose = shapes as unknown as {
      parseInput(m: string, v: unknown): unknown;
      parseSignal(s: string, v: unknown): unknown;
    };
    expect(() => loose.parseInput("nope", 1)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
    expect(() => loose.parseSignal("nope", 1)).toThrow(/has no signal "nope"/);
  });

  it("passes inbound values through untouched when validateInbound is off", () => {
    const trusted = defineContract({
      ...shapes.definition,
      name: "trusted",
      validateInbound: false,
    });
    const raw = { w: "not a number" };
    expect(trusted.parseInput("area", raw)).toStrictEqual({ ok: true, value: raw });
    expect(trusted.parseSignal("moved", 42)).toStrictEqual({ ok: true, value: 42 });
  });

  it("skips outbound checks by default and runs them with validateOutbound, sending the value as given", () => {
    expect(shapes.checkOutboundInput("area", "junk")).toStrictEqual({ ok: true, value: "junk" });
    const strict = defineContract({ ...shapes.definition, validateOutbound: true });
    expect(failure(strict.checkOutboundInput("area", "junk")).code).toBe("INVALID_ARGUMENT");
    expect(failure(strict.checkOutboundOutput("area", "junk")).code).toBe("INVALID_RESPONSE");
    expect(failure(strict.checkOutboundSignal("moved", "junk")).code).toBe("INVALID_SIGNAL");
    const input = { w: 2 };
    const checked = strict.checkOutboundInput("area", input);
    expect(checked.ok && checked.value).toBe(input); // not zod's output with h filled in
    expect(strict.checkOutboundOutput("parse", "abc")).toStrictEqual({ ok: true, value: "abc" });
  });

  it("gives the same verdicts and issues with compiled and interpreted schemas", () => {
    const interpreted = defineContract({ ...shapes.definition, compileSchemas: false });
    const input = fc.oneof(
      fc.record({
        points: fc.array(fc.record({ x: fc.oneof(fc.double(), fc.string()), y: fc.anything() })),
      }),
      fc.anything(),
    );
    fc.assert(
      fc.property(input, (value) => {
        const a = shapes.parseInput("save", value);
        const b = interpreted.parseInput("save", value);
        expect(a.ok).toBe(b.ok);
        if (a.ok && b.ok) expect(a.value).toStrictEqual(b.value);
        if (!a.ok && !b.ok) expect(a.error.issues).toStrictEqual(b.error.issues);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it("keeps validating and decoding after failures: one bad message fails only itself", () => {
    const codec = createMsgpackCodec();
    const good = codec.encode({ points: [{ x: 1, y: 2 }] });
    for (const bad of [
      codec.encode({ points: [{ x: "1" }] }),
      Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff),
    ]) {
      let failed = false;
      try {
        failed = !shapes.parseInput("save", codec.decode(bad)).ok;
      } catch (error) {
        failed = (error as { code?: string }).code === "CODEC_TRUNCATED";
      }
      expect(failed).toBe(true);
      expect(shapes.parseInput("save", codec.decode(good))).toStrictEqual({
        ok: true,
        value: { points: [{ x: 1, y: 2 }] },
      });
    }
  });

  it("sends a validation failure over the wire as its code, message and issues", () => {
    const error = failure(shapes.parseInput("area", {}));
    const wire = toWireError(error);
    expect(wire).toStrictEqual({
      code: "INVALID_ARGUMENT",
      message: error.message,
      data: error.issues,
    });
    const codec = createMsgpackCodec();
    expect(codec.decode(codec.encode(wire))).toStrictEqual(JSON.parse(JSON.stringify(wire)));
  });
});
