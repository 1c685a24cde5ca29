import { readFileSync } from "node:fs";
import { InvalidOptionError } from "@parley/framing";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { PEER_ERROR_CODES, type PeerErrorCode } from "../src/index.js";

/** Rows of the README's error table: code, class, retryable. */
function readmeErrorTable(): { code: string; className: string; retryable: boolean }[] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const header = readme.match(/^\|\s*code\s*\|\s*class\s*\|\s*retryable\s*\|\s*meaning\s*\|$/m);
  if (header?.index === undefined) throw new Error("README has no error table");
  const rows: { code: string; className: string; retryable: boolean }[] = [];
  for (const line of readme.slice(header.index).split("\n").slice(2)) {
    if (!line.startsWith("|")) break;
    const [code, className, retryable] = line
      .split("|")
      .slice(1, 4)
      .map((c) => c.trim());
    rows.push({
      code: code!.replaceAll("`", ""),
      className: className!.replaceAll("`", "").split(" ")[0]!,
      retryable: retryable === "yes",
    });
  }
  return rows;
}

describe("error vocabulary", () => {
  const table = readmeErrorTable();

  it("lists the same codes, in the same order, in PEER_ERROR_CODES and the README table", () => {
    expect(table.map((r) => r.code)).toEqual([...PEER_ERROR_CODES]);
  });

  it("exports each class of the table with that code and retryable verdict", () => {
    for (const row of table) {
      type AnyErrorClass = new (message: string, extra?: unknown) => Error;
      const ErrorClass =
        row.className === "InvalidOptionError"
          ? (InvalidOptionError as unknown as AnyErrorClass)
          : (api as unknown as Record<string, AnyErrorClass>)[row.className];
      expect(ErrorClass, `${row.className} is not exported`).toBeTypeOf("function");
      const error = (
        row.className === "ConnectionRefusedError"
          ? new ErrorClass!("message", "REMOTE_CODE")
          : new ErrorClass!("message")
      ) as Error & { code: string; retryable: boolean };
      expect(error.code).toBe(row.code);
      expect(error.name).toBe(row.className);
      expect(error.retryable, row.code).toBe(row.retryable);
      expect(api.isParleyError(error)).toBe(true);
    }
  });

  it("types the codes as a union usable in a switch", () => {
    const describe = (code: PeerErrorCode): string => {
      switch (code) {
        case "UNAVAILABLE":
          return "retry";
        default:
          return code;
      }
    };
    expect(describe("UNAVAILABLE")).toBe("retry");
  });

  it("marks errors that guarantee no execution as notExecuted", () => {
    expect(new api.UnavailableError("x").notExecuted).toBe(true);
    expect(new api.OverloadedError("x").notExecuted).toBe(true);
    expect(new api.ConnectionLostError("x").notExecuted).toBe(false);
    expect(new api.DeadlineExceededError("x", { notExecuted: true }).notExecuted).toBe(true);
  });
});
