import { readFileSync } from "node:fs";
import { isParleyError } from "@parley/framing";
import { type ReadmeErrorRow, readmeErrorTable } from "@parley/testkit";
import { TransportError } from "@parley/transport-net";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { TLS_TRANSPORT_ERROR_CODES, type TlsTransportErrorCode } from "../src/index.js";

function readmeRows(): ReadmeErrorRow[] {
  return readmeErrorTable(readFileSync(new URL("../README.md", import.meta.url), "utf8"));
}

describe("TLS transport error codes", () => {
  it("keeps the README error table in step with TLS_TRANSPORT_ERROR_CODES, in order", () => {
    expect(readmeRows().map((row) => row.code)).toEqual([...TLS_TRANSPORT_ERROR_CODES]);
  });

  it("has one exported class per code, whose name and retryable match the README", () => {
    type ErrorClass = new (message: string) => TransportError;
    const values: unknown[] = Object.values(api);
    const errors = values
      .filter(
        (value): value is ErrorClass =>
          typeof value === "function" && value.prototype instanceof TransportError,
      )
      .map((ErrorClass) => new ErrorClass("example"));
    const rows = new Map(readmeRows().map((row) => [row.code, row]));
    expect(
      errors
        .map((error) => error.code)
        .concat("INVALID_OPTION")
        .sort(),
    ).toEqual([...TLS_TRANSPORT_ERROR_CODES].sort());
    for (const error of errors) {
      const row = rows.get(error.code)!;
      expect(error.name, error.code).toBe(row.className);
      expect(error.retryable, error.code).toBe(row.retryable);
      expect(isParleyError(error)).toBe(true);
    }
  });

  it("narrows on the code union", () => {
    const error = new api.TlsHandshakeTimeoutError("slow", { address: "tls://127.0.0.1:1" });
    const code: TlsTransportErrorCode = error.code;
    expect(code).toBe("TLS_HANDSHAKE_TIMEOUT");
    expect(error.address).toBe("tls://127.0.0.1:1");
  });
});
