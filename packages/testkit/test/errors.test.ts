import { readFileSync } from "node:fs";
import { InvalidOptionError, isParleyError, type ParleyError } from "@parley/framing";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  AlreadyAttachedError,
  ConnectionResetError,
  LeakedHandlesError,
  type ReadmeErrorRow,
  RecorderWaitError,
  readmeErrorTable,
  TESTKIT_ERROR_CODES,
  type TestkitErrorCode,
} from "../src/index.js";

// One instance of every error this package raises, keyed by class name.
const samples: Record<string, ParleyError> = {
  InvalidOptionError: new InvalidOptionError("chunkBytes must be an integer of at least 1"),
  ConnectionResetError: new ConnectionResetError("connection reset by peer memory:a"),
  AlreadyAttachedError: new AlreadyAttachedError("memory:a is already attached"),
  LeakedHandlesError: new LeakedHandlesError("still open: 1 more TCPServerWrap"),
  RecorderWaitError: new RecorderWaitError("no onEnd within 5000 ms"),
};

function readmeRows(): ReadmeErrorRow[] {
  return readmeErrorTable(readFileSync(new URL("../README.md", import.meta.url), "utf8"));
}

describe("testkit errors", () => {
  it("lists the same codes, in the same order, in the README table and TESTKIT_ERROR_CODES", () => {
    expect(readmeRows().map((row) => row.code)).toEqual([...TESTKIT_ERROR_CODES]);
  });

  it("names in the README the class that really carries each code, with its retry verdict", () => {
    const rows = readmeRows();
    expect(rows.map((row) => row.className).sort()).toEqual(Object.keys(samples).sort());
    for (const row of rows) {
      const error = samples[row.className]!;
      expect(error.code, row.className).toBe(row.code);
      expect(error.name).toBe(row.className);
      expect(error.retryable, row.code).toBe(row.retryable);
    }
  });

  it("makes every error a ParleyError whose code belongs to the exported union", () => {
    for (const error of Object.values(samples)) {
      expect(isParleyError(error)).toBe(true);
      expect(TESTKIT_ERROR_CODES).toContain(error.code);
    }
    expectTypeOf<ConnectionResetError["code"]>().toEqualTypeOf<"ECONNRESET">();
    expectTypeOf<
      | ConnectionResetError["code"]
      | AlreadyAttachedError["code"]
      | LeakedHandlesError["code"]
      | RecorderWaitError["code"]
      | InvalidOptionError["code"]
    >().toEqualTypeOf<TestkitErrorCode>();
  });

  it("keeps the cause it is given", () => {
    const cause = new Error("root");
    expect(new LeakedHandlesError("leak", { cause }).cause).toBe(cause);
    expect(new ConnectionResetError("reset", { cause }).cause).toBe(cause);
  });
});
