import { describe, expect, it } from "vitest";
import { createJsonCodec, MAX_DEPTH_LIMIT } from "../src/index.js";
import { codeOf } from "./thrown-code.js";

const codec = createJsonCodec();
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const roundTrip = (value: unknown) => codec.decode(codec.encode(value));

describe("json value domain (README table)", () => {
  it("is named json and encodes a top-level undefined as zero bytes", () => {
    expect(codec.name).toBe("json");
    expect(codec.encode(undefined)).toHaveLength(0);
    expect(codec.decode(new Uint8Array(0))).toBeUndefined();
  });

  it("writes UTF-8 JSON text, leaving out undefined properties and writing null in arrays", () => {
    expect(text(codec.encode({ a: [1, undefined], b: undefined, c: "é" }))).toBe(
      '{"a":[1,null],"c":"é"}',
    );
  });

  it("turns -0 into 0 and NaN and the infinities into null", () => {
    expect(Object.is(roundTrip(-0), 0)).toBe(true);
    expect(roundTrip([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toEqual([
      null,
      null,
      null,
    ]);
  });

  it("keeps strings exactly, lone surrogates included", () => {
    for (const value of ["", "héllo ✓ 😀", "a\ud800b", "\udfff"])
      expect(roundTrip(value)).toBe(value);
  });

  it("writes a Date as its ISO string", () => {
    expect(roundTrip({ at: new Date(0) })).toStrictEqual({ at: "1970-01-01T00:00:00.000Z" });
    expect(codeOf(() => codec.encode(new Date(Number.NaN)))).toBe("CODEC_UNSUPPORTED_TYPE");
  });

  it("writes class instances through toJSON when they have one, else their own properties", () => {
    class Tag {
      toJSON() {
        return "tag";
      }
    }
    class Pair {
      left = 1;
      right = 2;
    }
    expect(roundTrip([new Tag(), new Pair()])).toStrictEqual(["tag", { left: 1, right: 2 }]);
  });

  it("refuses values JSON would mangle: binary, Map, Set, BigInt, functions, symbols, errors", () => {
    for (const value of [
      Uint8Array.of(1),
      Buffer.from("x"),
      new ArrayBuffer(1),
      new Float32Array(1),
      new Map([["a", 1]]),
      new Set([1]),
      1n,
      () => 1,
      Symbol("s"),
      new Error("x"),
      /re/,
    ]) {
      expect(codeOf(() => codec.encode({ nested: [value] }))).toBe("CODEC_UNSUPPORTED_TYPE");
    }
  });

  it("refuses __proto__ keys and constructor.prototype both ways", () => {
    expect(codeOf(() => codec.encode(JSON.parse('{"__proto__":{"x":1}}')))).toBe(
      "CODEC_FORBIDDEN_KEY",
    );
    expect(codeOf(() => codec.decode(utf8('{"a":[{"__proto__":{"polluted":true}}]}')))).toBe(
      "CODEC_FORBIDDEN_KEY",
    );
    expect(codeOf(() => codec.decode(utf8('{"constructor":{"prototype":{"x":1}}}')))).toBe(
      "CODEC_FORBIDDEN_KEY",
    );
    expect(codeOf(() => codec.decode(utf8('{"\\u005f_proto__":1}')))).toBe("CODEC_FORBIDDEN_KEY");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(codec.decode(utf8('{"constructor":1,"prototype":{"constructor":2}}'))).toStrictEqual(
      JSON.parse('{"constructor":1,"prototype":{"constructor":2}}'),
    );
  });

  it("refuses cycles and nesting deeper than maxDepth both ways", () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(codeOf(() => codec.encode(cyclic))).toBe("CODEC_MAX_DEPTH");
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(codeOf(() => codec.decode(utf8(deep)))).toBe("CODEC_MAX_DEPTH");
    const deepest = createJsonCodec({ maxDepth: MAX_DEPTH_LIMIT });
    expect(codeOf(() => deepest.decode(utf8(deep)))).toBe("CODEC_MAX_DEPTH");
    const three = createJsonCodec({ maxDepth: 3 });
    expect(three.decode(utf8('[{"a":[]}]'))).toStrictEqual([{ a: [] }]);
    expect(codeOf(() => three.decode(utf8('[{"a":[[]]}]')))).toBe("CODEC_MAX_DEPTH");
  });
});

describe("json decode of hostile bytes", () => {
  it("refuses invalid UTF-8 and invalid JSON with CODEC_INVALID_DATA", () => {
    expect(codeOf(() => codec.decode(Uint8Array.of(0x22, 0xff, 0x22)))).toBe("CODEC_INVALID_DATA");
    for (const body of ['{"a":}', "tru e", "[1,]", "\ufeff1", "{'a':1}", "NaN"]) {
      expect(
        codeOf(() => codec.decode(utf8(body))),
        body,
      ).toBe("CODEC_INVALID_DATA");
    }
  });

  it("refuses text cut short with CODEC_TRUNCATED", () => {
    const full = text(codec.encode({ list: [1, 2, { deep: "text" }], ok: true }));
    for (let length = 1; length < full.length; length++) {
      const prefix = full.slice(0, length);
      expect(
        codeOf(() => codec.decode(utf8(prefix))),
        prefix,
      ).toBe("CODEC_TRUNCATED");
    }
  });

  it("refuses text after the value with CODEC_TRAILING_BYTES", () => {
    for (const body of ["1 2", "{}x", "[1]]", '"a""b"']) {
      expect(
        codeOf(() => codec.decode(utf8(body))),
        body,
      ).toBe("CODEC_TRAILING_BYTES");
    }
  });

  it("refuses bad options with INVALID_OPTION naming the option", () => {
    expect(() => createJsonCodec({ maxDepth: 0 })).toThrow("maxDepth");
    expect(codeOf(() => createJsonCodec({ maxDepth: MAX_DEPTH_LIMIT + 1 }))).toBe("INVALID_OPTION");
    expect(codeOf(() => createJsonCodec("x" as never))).toBe("INVALID_OPTION");
  });

  it("reserves zeroed header bytes in front of the body with encodeReserved", () => {
    const framed = codec.encodeReserved({ a: 1 }, 3);
    expect([...framed.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect(text(framed.subarray(3))).toBe('{"a":1}');
    expect(codeOf(() => codec.encodeReserved(1, 300))).toBe("INVALID_OPTION");
  });
});
