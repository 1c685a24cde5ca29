import { afterEach, describe, expect, it } from "vitest";
import { numberFlag, tcpFlag } from "../src/micro/cli.js";

const argv = process.argv;
afterEach(() => {
  process.argv = argv;
});
const withArgs = (...args: string[]) => {
  process.argv = [argv[0]!, "bench.ts", ...args];
};

describe("the micro benchmarks' flags", () => {
  it("read a positive integer, or the default when absent", () => {
    withArgs("--calls=250");
    expect(numberFlag("calls", 7)).toBe(250);
    expect(numberFlag("rounds", 7)).toBe(7);
  });

  it("refuse a count that is zero, negative, fractional or not a number", () => {
    for (const bad of ["0", "-3", "1.5", "x", ""]) {
      withArgs(`--concurrency=${bad}`);
      expect(() => numberFlag("concurrency", 1)).toThrow(RangeError);
    }
  });

  it("take unix or tcp for --transport and refuse anything else", () => {
    withArgs();
    expect(tcpFlag()).toBe(false);
    withArgs("--transport=unix");
    expect(tcpFlag()).toBe(false);
    withArgs("--transport=tcp");
    expect(tcpFlag()).toBe(true);
    withArgs("--transport=tpc");
    expect(() => tcpFlag()).toThrow(/unix or tcp/);
  });
});
