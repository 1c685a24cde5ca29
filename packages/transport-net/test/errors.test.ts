import { readFileSync } from "node:fs";
import { InvalidOptionError, isParleyError } from "@parley/framing";
import { type ReadmeErrorRow, readmeErrorTable } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { TRANSPORT_ERROR_CODES, TransportError, type TransportErrorCode } from "../src/index.js";

function readmeRows(): ReadmeErrorRow[] {
  return readmeErrorTable(readFileSync(new URL("../README.md", import.meta.url), "utf8"));
}

/** Every error class this package exports, instantiated once. */
function exportedErrors(): TransportError[] {
  type ErrorClass = new (message: string) => TransportError;
  const values: unknown[] = Object.values(api);
  return values
    .filter(
      (value): value is ErrorClass =>
        typeof value === "function" && value.prototype instanceof TransportError,
    )
    .map((ErrorClass) => new ErrorClass("example"));
}

describe("transport error codes", () => {
  it("lists every code once in TRANSPORT_ERROR_CODES", () => {
    expect(new Set(TRANSPORT_ERROR_CODES).size).toBe(TRANSPORT_ERROR_CODES.length);
  });

  it("keeps the README error table in step with TRANSPORT_ERROR_CODES, in order", () => {
    expect(readmeRows().map((row) => row.code)).toEqual([...TRANSPORT_ERROR_CODES]);
  });

  it("has one exported class per code, whose name, code and retryable match the README", () => {
    const rows = new Map(readmeRows().map((row) => [row.code, row]));
    const errors = exportedErrors();
    const codes = errors.map((error) => error.code).concat(new InvalidOptionError("x").code);
    expect(codes.sort()).toEqual([...TRANSPORT_ERROR_CODES].sort());
    for (const error of errors) {
      const row = rows.get(error.code);
      expect(row, error.code).toBeDefined();
      expect(error.name, error.code).toBe(row!.className);
      expect(error.retryable, error.code).toBe(row!.retryable);
      expect(isParleyError(error), error.code).toBe(true);
    }
    expect(rows.get("INVALID_OPTION")).toMatchObject({
      className: "InvalidOptionError",
      retryable: false,
    });
  });

  it("narrows on the code union and keeps address and cause", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const error = new api.ConnectRefusedError("refused", { address: "tcp://127.0.0.1:1", cause });
    const code: TransportErrorCode = error.code;
    expect(code).toBe("CONNECT_REFUSED");
    expect(error.address).toBe("tcp://127.0.0.1:1");
    expect(error.cause).toBe(cause);
    expect(new api.ConnectError("denied", { retryable: false }).retryable).toBe(false);
  });
});
