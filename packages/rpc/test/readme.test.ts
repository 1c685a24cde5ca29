import { readFileSync } from "node:fs";
import { readmeErrorTable } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import {
  ClientClosedError,
  InternalError,
  NotConnectedError,
  NotParleyError,
  ReconnectFailedError,
  ReconnectRefusedError,
  RPC_ERROR_CODES,
  SignalDroppedError,
  WaitDeadlineError,
} from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("lists exactly the error codes the package raises, with their classes and retryable flags", () => {
    const errors = [
      new NotConnectedError("not connected"),
      new ClientClosedError(),
      new ReconnectFailedError(3),
      new WaitDeadlineError(Date.now()),
      new ReconnectRefusedError(Object.assign(new Error("refused"), { code: "CONTRACT_MISMATCH" })),
      new NotParleyError("HTTP/1.x", "tcp://127.0.0.1:80"),
      new InternalError("internal error in get (ref 00000000)", "00000000"),
      new SignalDroppedError("dropped invalid signal note"),
    ];
    const fromCode = errors.map((e) => ({
      code: e.code,
      className: e.name,
      retryable: e.retryable,
    }));
    expect(readmeErrorTable(readme)).toEqual(fromCode);
    expect([...new Set(errors.map((e) => e.code))].sort()).toEqual([...RPC_ERROR_CODES].sort());
  });
});
