import { describe, expect, it } from "vitest";
import {
  editDistance,
  nearestName,
  optionNames,
  rejectUnknownOptions,
} from "../src/option-rules.js";

interface SampleOptions {
  host?: string;
  port?: number;
  checkDirectory?: boolean;
}

const SAMPLE = optionNames<SampleOptions>({ host: true, port: true, checkDirectory: true });

describe("rejectUnknownOptions", () => {
  it("refuses an unknown option with INVALID_OPTION naming it and the nearest known one", () => {
    expect(() => rejectUnknownOptions("listen()", { checkDirectry: true }, SAMPLE)).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: 'listen() has no option "checkDirectry"; did you mean checkDirectory?',
      }),
    );
  });

  it("names no suggestion when nothing known is close", () => {
    expect(() => rejectUnknownOptions("listen()", { frobnicate: 1 }, SAMPLE)).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: 'listen() has no option "frobnicate"',
      }),
    );
  });

  it("says which other function an option belongs to", () => {
    const other = { what: "connect()", names: ["connectTimeoutMs"] };
    expect(() => rejectUnknownOptions("listen()", { connectTimeoutMs: 5 }, SAMPLE, other)).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: "connectTimeoutMs is an option of connect(), not of listen(); remove it here",
      }),
    );
  });

  it("accepts known options, and unknown ones set to undefined (spread configs)", () => {
    expect(() =>
      rejectUnknownOptions("listen()", { host: "::1", port: 0, extra: undefined }, SAMPLE),
    ).not.toThrow();
    expect(() => rejectUnknownOptions("listen()", undefined, SAMPLE)).not.toThrow();
  });

  it("measures typos as edits, a swap of neighbours being one", () => {
    expect(editDistance("maxfrmaebytes", "maxframebytes")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(nearestName("port", ["url", "tls", "contract"])).toBeUndefined();
    expect(nearestName("authTokn", ["authToken", "url"])).toBe("authToken");
  });
});
