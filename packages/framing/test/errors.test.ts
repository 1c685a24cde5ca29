import { readFileSync } from "node:fs";
import {
  FRAMING_ERROR_CODES,
  FrameLengthInvalidError,
  FrameTooLargeError,
  FrameTruncatedError,
  FramingError,
  type FramingErrorCode,
  InvalidOptionError,
  isParleyError,
  LineTooLongError,
  type ParleyError,
} from "@parley/framing";
import { describe, expect, expectTypeOf, it } from "vitest";

// One instance of every error this package raises, keyed by class name.
const samples: Record<string, ParleyError> = {
  FrameTooLargeError: new FrameTooLargeError({
    declaredBytes: 9,
    maxFrameBytes: 8,
    direction: "decode",
  }),
  FrameLengthInvalidError: new FrameLengthInvalidError("bad length", -1),
  FrameTruncatedError: new FrameTruncatedError({
    expectedBytes: 8,
    receivedBytes: 3,
    unit: "frame",
  }),
  LineTooLongError: new LineTooLongError({ maxLineBytes: 4, receivedBytes: 5 }),
  InvalidOptionError: new InvalidOptionError("maxFrameBytes must be a positive integer"),
};

function readmeErrorTable(): { code: string; className: string; retryable: string }[] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.split(/^## Errors$/m)[1]?.split(/^## /m)[0] ?? "";
  return section
    .split("\n")
    .filter((line) => /^\| `[A-Z_]+` +\|/.test(line))
    .map((line) => {
      const [code, className, retryable] = line
        .split("|")
        .slice(1, 4)
        .map((c) => c.trim().replace(/`/g, ""));
      return { code: code!, className: className!, retryable: retryable! };
    });
}

describe("framing errors", () => {
  it("lists the same codes, in the same order, in the README table and FRAMING_ERROR_CODES", () => {
    expect(readmeErrorTable().map((row) => row.code)).toEqual([...FRAMING_ERROR_CODES]);
  });

  it("names in the README the class that really carries each code, with its retry verdict", () => {
    for (const row of readmeErrorTable()) {
      const error = samples[row.className];
      expect(error, row.className).toBeDefined();
      expect(error!.code).toBe(row.code);
      expect(error!.name).toBe(row.className);
      expect(error!.retryable ? "yes" : "no").toBe(row.retryable);
    }
    expect(Object.keys(samples)).toHaveLength(FRAMING_ERROR_CODES.length);
  });

  it("makes every error a ParleyError recognised by isParleyError, stream errors a FramingError", () => {
    for (const [name, error] of Object.entries(samples)) {
      expect(isParleyError(error), name).toBe(true);
      expect(error).toBeInstanceOf(Error);
      expect(error instanceof FramingError, name).toBe(name !== "InvalidOptionError");
    }
    expect(isParleyError(new Error("plain"))).toBe(false);
  });

  it("keeps the cause it is given", () => {
    const cause = new Error("root");
    expect(new FrameLengthInvalidError("x", 1, { cause }).cause).toBe(cause);
  });

  it("types the codes as a union that switch statements can narrow", () => {
    expectTypeOf<FramingErrorCode>().toEqualTypeOf<
      | "FRAME_TOO_LARGE"
      | "FRAME_LENGTH_INVALID"
      | "FRAME_TRUNCATED"
      | "LINE_TOO_LONG"
      | "INVALID_OPTION"
    >();
    expectTypeOf<FrameTooLargeError["code"]>().toEqualTypeOf<"FRAME_TOO_LARGE">();
    expectTypeOf<FramingError["code"]>().toExtend<FramingErrorCode>();
  });
});
