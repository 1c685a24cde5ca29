import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstDifference } from "../src/index.js";
import { pattern } from "./turns.js";

describe("firstDifference", () => {
  it("returns -1 for equal bytes, views included", () => {
    const big = pattern(1000);
    expect(firstDifference(big.subarray(10, 20), Uint8Array.from(pattern(10, 10)))).toBe(-1);
    expect(firstDifference(new Uint8Array(0), new Uint8Array(0))).toBe(-1);
  });

  it("finds the first differing offset in a large buffer", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99_999 }),
        fc.integer({ min: 0, max: 99_999 }),
        (a, b) => {
          const expected = pattern(100_000);
          const actual = Buffer.from(expected);
          actual[a] = (actual[a] ?? 0) ^ 1;
          actual[b] = (actual[b] ?? 0) ^ 2;
          expect(firstDifference(actual, expected)).toBe(Math.min(a, b));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it("reports a length mismatch at the shorter length", () => {
    expect(firstDifference(pattern(10), pattern(12))).toBe(10);
    expect(firstDifference(pattern(12), pattern(10))).toBe(10);
  });
});
