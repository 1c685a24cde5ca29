import { readFileSync } from "node:fs";
import { InvalidOptionError } from "@parley/framing";
import { describe, expect, it, vi } from "vitest";
import {
  CODEC_ERROR_CODES,
  CONTRACT_ERROR_CODES,
  CodecError,
  ContractValidationError,
  fromWireError,
  INTERNAL_ERROR_CODE,
  toWireError,
} from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README section ${title}`).toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** Rows of the errors table whose code cell is one literal code, as [code, class, retryable]. */
function errorRows(): [string, string, string][] {
  return section("Errors")
    .split("\n")
    .map((line) => /^\|\s*`([A-Z_]+)`\s*\|\s*`(\w+)`\s*\|\s*([^|]+?)\s*\|/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1]!, match[2]!, match[3]!.trim()]);
}

describe("README", () => {
  it("lists every error code this package raises, in order, with its class", () => {
    const rows = errorRows();
    expect(rows.map(([code]) => code)).toEqual([
      ...CODEC_ERROR_CODES,
      ...CONTRACT_ERROR_CODES,
      new InvalidOptionError("x").code,
      INTERNAL_ERROR_CODE,
    ]);
    for (const [code, className] of rows) {
      const expected = code.startsWith("CODEC_")
        ? "CodecError"
        : (CONTRACT_ERROR_CODES as readonly string[]).includes(code)
          ? "ContractValidationError"
          : code === "INVALID_OPTION"
            ? "InvalidOptionError"
            : "RemoteError";
      expect(className, code).toBe(expected);
    }
  });

  it("states each error's retryable verdict as the errors themselves report it", () => {
    const issues = { contract: "c", member: "m", issues: [], issueCount: 0 };
    const instances: Record<string, { retryable: boolean }> = {
      INVALID_OPTION: new InvalidOptionError("x"),
      [INTERNAL_ERROR_CODE]: fromWireError(toWireError(new Error("x"))),
    };
    for (const code of CODEC_ERROR_CODES) instances[code] = new CodecError(code, "x");
    for (const code of CONTRACT_ERROR_CODES)
      instances[code] = new ContractValidationError({ code, ...issues });
    for (const [code, , retryable] of errorRows()) {
      expect(instances[code]?.retryable, code).toBe(retryable === "yes");
    }
  });

  it("shows a quick start that is the tested example, and prints what its comments say", async () => {
    const example = readFileSync(new URL("./fixtures/quick-start.ts", import.meta.url), "utf8");
    const block = /```ts\n([\s\S]*?)```/.exec(section("Quick start"))?.[1];
    expect(block).toBe(example);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await import("./fixtures/quick-start.js");
      expect(log.mock.calls).toEqual([
        [5],
        [
          "INVALID_ARGUMENT",
          "invalid request input for calculator.add: a: Invalid input: expected number, received string",
        ],
      ]);
    } finally {
      log.mockRestore();
    }
  });
});
