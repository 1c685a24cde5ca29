import { InvalidOptionError, isParleyError } from "@parley/framing";
import { describe, expect, it } from "vitest";
import {
  CodecError,
  createJsonCodec,
  createMsgpackCodec,
  fromWireError,
  INTERNAL_ERROR_CODE,
  isWireError,
  RemoteError,
  ServiceError,
  toWireError,
  type WireError,
} from "../src/index.js";

describe("toWireError", () => {
  it("sends a ServiceError's code, message and data as they are", () => {
    const thrown = new ServiceError("NOT_FOUND", "no user 7", { id: 7 });
    expect(toWireError(thrown)).toStrictEqual({
      code: "NOT_FOUND",
      message: "no user 7",
      data: { id: 7 },
    });
  });

  it("sends retryable only when the error says a retry may succeed", () => {
    const busy = new ServiceError("BUSY", "try later", undefined, { retryable: true });
    expect(toWireError(busy)).toStrictEqual({
      code: "BUSY",
      message: "try later",
      retryable: true,
    });
    expect(toWireError(new ServiceError("X", "y"))).not.toHaveProperty("retryable");
  });

  it("keeps the code and message of any Parley error, and forwards a RemoteError from a nested call", () => {
    expect(toWireError(new CodecError("CODEC_MAX_DEPTH", "too deep"))).toStrictEqual({
      code: "CODEC_MAX_DEPTH",
      message: "too deep",
    });
    expect(toWireError(new InvalidOptionError("bad"))).toStrictEqual({
      code: "INVALID_OPTION",
      message: "bad",
    });
    const nested = new RemoteError("QUOTA", "over quota", { limit: 3 });
    expect(toWireError(nested)).toStrictEqual({
      code: "QUOTA",
      message: "over quota",
      data: { limit: 3 },
    });
  });

  it("turns any other Error into INTERNAL with its message, and never sends a stack or cause", () => {
    const error = new TypeError("x is undefined", { cause: new Error("secret") });
    const wire = toWireError(error);
    expect(wire).toStrictEqual({ code: INTERNAL_ERROR_CODE, message: "x is undefined" });
    expect(JSON.stringify(wire)).not.toMatch(/at |secret/);
    expect(INTERNAL_ERROR_CODE).toBe("INTERNAL");
  });

  it("normalises thrown strings, empty errors and non-Error values", () => {
    expect(toWireError("plain text")).toStrictEqual({ code: "INTERNAL", message: "plain text" });
    expect(toWireError(new Error(""))).toStrictEqual({ code: "INTERNAL", message: "Error" });
    expect(toWireError(42)).toStrictEqual({
      code: "INTERNAL",
      message: "handler threw a non-Error value (number)",
    });
    expect(toWireError(null).message).toBe("handler threw a non-Error value (null)");
    expect(toWireError(undefined).code).toBe("INTERNAL");
    expect(toWireError({ code: "FAKE", message: "not an error" }).code).toBe("INTERNAL");
  });

  it("gives a ServiceError with an empty code the INTERNAL code", () => {
    expect(toWireError(new ServiceError("", "m")).code).toBe("INTERNAL");
  });

  it("produces wire errors both codecs carry", () => {
    const wire = toWireError(new ServiceError("E", "m", { list: [1, "a"], nested: { ok: true } }));
    for (const codec of [createMsgpackCodec(), createJsonCodec()]) {
      expect(codec.decode(codec.encode(wire))).toStrictEqual(wire);
    }
  });
});

describe("fromWireError", () => {
  it("builds a RemoteError with the remote's code, message and data", () => {
    const error = fromWireError({ code: "NOT_FOUND", message: "no user 7", data: { id: 7 } });
    expect(error).toBeInstanceOf(RemoteError);
    expect(isParleyError(error)).toBe(true);
    expect([error.name, error.code, error.message, error.data, error.retryable]).toStrictEqual([
      "RemoteError",
      "NOT_FOUND",
      "no user 7",
      { id: 7 },
      false,
    ]);
    expect(fromWireError({ code: "BUSY", message: "m", retryable: true }).retryable).toBe(true);
  });

  it("round-trips through toWireError", () => {
    const original = new ServiceError("CONFLICT", "version mismatch", { expected: 3 });
    const back = fromWireError(toWireError(original));
    expect([back.code, back.message, back.data]).toStrictEqual([
      original.code,
      original.message,
      original.data,
    ]);
  });

  it("coerces a malformed wire error from the network instead of trusting it", () => {
    const cases: [unknown, string, string][] = [
      [{ message: "no code" }, "INTERNAL", "no code"],
      [{ code: "", message: "empty code" }, "INTERNAL", "empty code"],
      [{ code: 5, message: ["x"] }, "INTERNAL", "remote error without a message"],
      [null, "INTERNAL", "remote error without a message"],
      ["text", "INTERNAL", "remote error without a message"],
    ];
    for (const [wire, code, message] of cases) {
      const error = fromWireError(wire as WireError);
      expect([error.code, error.message]).toEqual([code, message]);
    }
    expect(fromWireError({ code: "X", message: "m", retryable: "yes" } as never).retryable).toBe(
      false,
    );
  });
});

describe("isWireError", () => {
  it("accepts the wire shape and rejects anything else", () => {
    expect(isWireError({ code: "X", message: "m" })).toBe(true);
    expect(isWireError({ code: "X", message: "m", data: [1], retryable: true })).toBe(true);
    for (const value of [
      null,
      "x",
      {},
      { code: "X" },
      { code: "", message: "m" },
      { code: 1, message: "m" },
      { code: "X", message: "m", retryable: 1 },
    ]) {
      expect(isWireError(value)).toBe(false);
    }
  });
});
