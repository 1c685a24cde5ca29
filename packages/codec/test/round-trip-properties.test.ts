import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createJsonCodec, createMsgpackCodec } from "../src/index.js";
import {
  jsonModel,
  jsonValue,
  msgpackModel,
  msgpackValue,
  plainBinary,
  top,
} from "./value-models.js";

// Seeded so a failure reproduces; fast-check prints the seed and the shrunk counterexample.
const runs = { numRuns: 500, seed: 0x5eed };

describe("msgpack codec round trip", () => {
  const codec = createMsgpackCodec();

  it("decodes every value of the documented domain to its documented form", () => {
    fc.assert(
      fc.property(msgpackValue, (value) => {
        const decoded = codec.decode(codec.encode(value));
        expect(plainBinary(decoded)).toStrictEqual(top(msgpackModel)(value));
      }),
      runs,
    );
  });

  it("decodes the same values when the bytes arrive as a plain Uint8Array copy", () => {
    fc.assert(
      fc.property(msgpackValue, (value) => {
        const bytes = new Uint8Array(codec.encode(value));
        expect(plainBinary(codec.decode(bytes))).toStrictEqual(top(msgpackModel)(value));
      }),
      { ...runs, numRuns: 200 },
    );
  });

  it("decodes what encodeReserved wrote after the reserved bytes", () => {
    fc.assert(
      fc.property(msgpackValue, fc.integer({ min: 0, max: 255 }), (value, reserve) => {
        const framed = codec.encodeReserved(value, reserve);
        expect(framed.subarray(0, reserve).every((byte) => byte === 0)).toBe(true);
        expect(plainBinary(codec.decode(framed.subarray(reserve)))).toStrictEqual(
          top(msgpackModel)(value),
        );
      }),
      { ...runs, numRuns: 200 },
    );
  });
});

describe("json codec round trip", () => {
  const codec = createJsonCodec();

  it("decodes every value of the documented domain to its documented form", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(codec.decode(codec.encode(value))).toStrictEqual(top(jsonModel)(value));
      }),
      runs,
    );
  });

  it("writes exactly what JSON.stringify writes, as UTF-8", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        fc.pre(value !== undefined);
        expect(new TextDecoder().decode(codec.encode(value))).toBe(JSON.stringify(value));
      }),
      { ...runs, numRuns: 200 },
    );
  });
});
