import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ClientClosedError,
  NotConnectedError,
  ReconnectFailedError,
  RPC_ERROR_CODES,
  WaitDeadlineError,
} from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** Rows of the README's "## Errors" table as [code, class, retryable]. */
function errorRows(): string[][] {
  const section = readme.slice(readme.indexOf("## Errors"), readme.indexOf("## Lifecycle"));
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) =>
      line
        .split("|")
        .slice(1, 4)
        .map((cell) => cell.trim().replaceAll("`", "")),
    );
}

describe("README", () => {
  it("lists exactly the error codes the package raises, with their classes and retryable flags", () => {
    const errors = [
      new NotConnectedError("not connected"),
      new ClientClosedError(),
      new ReconnectFailedError(3),
      new WaitDeadlineError(Date.now()),
    ];
    const fromCode = errors.map((e) => [e.code, e.name, e.retryable ? "yes" : "no"]);
    expect(errorRows()).toEqual(fromCode);
    expect([...new Set(errors.map((e) => e.code))].sort()).toEqual([...RPC_ERROR_CODES].sort());
  });
});
