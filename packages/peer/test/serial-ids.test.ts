import { describe, expect, it } from "vitest";
import { isSerialAfter, nextId } from "../src/serial-ids.js";

describe("request ids", () => {
  it("start at 1, never return 0 and wrap from 0xFFFFFFFF to 1", () => {
    const none = new Set<number>();
    expect(nextId(0, none)).toBe(1);
    expect(nextId(41, none)).toBe(42);
    expect(nextId(0xffff_ffff, none)).toBe(1);
  });

  it("skip ids still in flight after a wrap", () => {
    expect(nextId(0xffff_ffff, new Set([1, 2, 4]))).toBe(3);
  });

  it("compare in serial-number order across the wrap", () => {
    expect(isSerialAfter(6, 5)).toBe(true);
    expect(isSerialAfter(5, 5)).toBe(false);
    expect(isSerialAfter(4, 5)).toBe(false);
    expect(isSerialAfter(1, 0xffff_ffff)).toBe(true);
    expect(isSerialAfter(0xffff_fffe, 3)).toBe(false);
    expect(isSerialAfter(1, 0)).toBe(true);
  });
});
