/**
 * What a receiver does with fields its schema does not name (docs/contract-changes.md, "Unknown
 * fields"): an older receiver must accept what a newer sender adds, and nothing it keeps may reach
 * an object's prototype.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CodecError, createMsgpackCodec, defineContract } from "../src/index.js";

const codec = createMsgpackCodec();
const v1Input = { key: z.string() };
// What a newer caller sends: the field `ttl` it added (optional in its contract).
const fromNewerCaller = { key: "k", ttl: 30 };

function serverOf(input: z.ZodType) {
  return defineContract({
    name: "kv",
    version: 1,
    requests: { get: { input, output: z.string() } },
  });
}

function receive(input: z.ZodType, body: Uint8Array) {
  return serverOf(input).parseInput("get", codec.decode(body));
}

describe("unknown fields", () => {
  it("an old server with z.object drops a field a newer caller added and runs the call", () => {
    const parsed = receive(z.object(v1Input), codec.encode(fromNewerCaller));
    expect(parsed).toEqual({ ok: true, value: { key: "k" } });
  });

  it("an old server with z.looseObject keeps the added field as data", () => {
    const parsed = receive(z.looseObject(v1Input), codec.encode(fromNewerCaller));
    expect(parsed).toEqual({ ok: true, value: { key: "k", ttl: 30 } });
  });

  it("an old server with z.strictObject refuses the added field with INVALID_ARGUMENT", () => {
    const parsed = receive(z.strictObject(v1Input), codec.encode(fromNewerCaller));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe("INVALID_ARGUMENT");
    expect(parsed.error.issues[0]).toMatchObject({ code: "unrecognized_keys" });
  });

  it("a __proto__ key never reaches a loose schema: the codec refuses the body first", () => {
    const hostile = new Uint8Array([
      0x82,
      0xa3,
      0x6b,
      0x65,
      0x79,
      0xa1,
      0x6b,
      0xa9,
      ...new TextEncoder().encode("__proto__"),
      0x81,
      0xa1,
      0x78,
      0x01,
    ]);
    let error: unknown;
    try {
      codec.decode(hostile);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).code).toBe("CODEC_FORBIDDEN_KEY");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("a loose schema given an own __proto__ key (not from the wire) keeps neither it nor its prototype", () => {
    const own = JSON.parse('{"key":"k","__proto__":{"polluted":true},"extra":1}');
    for (const input of [z.looseObject(v1Input), z.object(v1Input).catchall(z.unknown())]) {
      const parsed = serverOf(input).parseInput("get", own);
      expect(parsed.ok).toBe(true);
      const value = (parsed as { value: Record<string, unknown> }).value;
      expect(Object.getOwnPropertyNames(value)).toEqual(["key", "extra"]);
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(value.polluted).toBeUndefined();
    }
  });
});
