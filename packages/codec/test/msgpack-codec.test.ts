import { describe, expect, it } from "vitest";
import {
  createMsgpackCodec,
  DEFAULT_COPY_BINARY,
  DEFAULT_INT64_AS,
  DEFAULT_MAX_DEPTH,
  MAX_DEPTH_LIMIT,
  MAX_RESERVE_BYTES,
} from "../src/index.js";
import { codeOf } from "./thrown-code.js";
import { hex } from "./value-models.js";

const codec = createMsgpackCodec();
const roundTrip = (value: unknown) => codec.decode(codec.encode(value));
const wire = (value: unknown) => Buffer.from(codec.encode(value)).toString("hex");

describe("msgpack value domain (README table)", () => {
  it("encodes a top-level undefined as zero bytes and decodes zero bytes as undefined", () => {
    expect(codec.encode(undefined)).toHaveLength(0);
    expect(codec.decode(new Uint8Array(0))).toBeUndefined();
  });

  it("leaves out object properties holding undefined and writes undefined in arrays as nil", () => {
    expect(roundTrip({ a: undefined, b: 1 })).toStrictEqual({ b: 1 });
    expect(wire([undefined])).toBe("91c0");
    expect(roundTrip([undefined, 1])).toStrictEqual([null, 1]);
  });

  it("writes undefined Map values and Set items as nil", () => {
    expect(roundTrip(new Map([["a", undefined]]))).toStrictEqual({ a: null });
    expect(roundTrip(new Set([undefined]))).toStrictEqual([null]);
  });

  it("keeps strings, booleans and null exactly", () => {
    for (const value of ["", "héllo ✓ 😀", "x".repeat(70_000), true, false, null]) {
      expect(roundTrip(value)).toStrictEqual(value);
    }
  });

  it("replaces a lone surrogate with U+FFFD", () => {
    expect(roundTrip("a\ud800b")).toBe("a\ufffdb");
  });

  it("writes integers in the 32-bit ranges as msgpack integers and other numbers as float64", () => {
    expect(wire(5)).toBe("05");
    expect(wire(-33)).toBe("d0df");
    expect(wire(4_000_000_000)).toBe("ceee6b2800");
    expect(wire(2 ** 40)).toBe("cb4270000000000000");
    expect(wire(1.5)).toBe("cb3ff8000000000000");
    for (const value of [0, 1.5, -1e300, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE]) {
      expect(roundTrip(value)).toBe(value);
    }
  });

  it("turns -0 into 0 and keeps NaN and the infinities", () => {
    expect(Object.is(roundTrip(-0), 0)).toBe(true);
    expect(roundTrip(Number.NaN)).toBeNaN();
    expect(roundTrip(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(roundTrip(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
  });

  it("decodes 64-bit integers as numbers up to 2^53 and as BigInt beyond", () => {
    expect(roundTrip(5n)).toBe(5);
    expect(roundTrip(2n ** 53n)).toBe(2 ** 53);
    expect(roundTrip(-(2n ** 53n))).toBe(-(2 ** 53));
    expect(roundTrip(2n ** 53n + 1n)).toBe(2n ** 53n + 1n);
    expect(roundTrip(-(2n ** 63n))).toBe(-(2n ** 63n));
    expect(roundTrip(2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
  });

  it("refuses a BigInt that needs more than 64 bits", () => {
    expect(codeOf(() => codec.encode(2n ** 64n))).toBe("CODEC_UNSUPPORTED_TYPE");
    expect(codeOf(() => codec.encode([-(2n ** 63n) - 1n]))).toBe("CODEC_UNSUPPORTED_TYPE");
  });

  it("keeps dates to the millisecond across the whole Date range, as the timestamp extension", () => {
    expect(wire(new Date(1_700_000_000_000))).toBe("d6ff6553f100");
    for (const time of [0, 1_700_000_000_123, -1, -8.64e15, 8.64e15, 2 ** 34 * 1000 + 5]) {
      expect(roundTrip(new Date(time))).toStrictEqual(new Date(time));
    }
  });

  it("refuses an invalid Date", () => {
    expect(codeOf(() => codec.encode({ when: new Date(Number.NaN) }))).toBe(
      "CODEC_UNSUPPORTED_TYPE",
    );
  });

  it("writes Uint8Array, Buffer and ArrayBuffer as msgpack bin and decodes them as bytes", () => {
    const bytes = Uint8Array.of(1, 2, 255);
    expect(wire(bytes)).toBe("c40301 02ff".replace(" ", ""));
    expect(new Uint8Array(roundTrip(bytes) as Uint8Array)).toStrictEqual(bytes);
    expect(new Uint8Array(roundTrip(Buffer.from(bytes)) as Uint8Array)).toStrictEqual(bytes);
    expect(new Uint8Array(roundTrip(bytes.buffer) as Uint8Array)).toStrictEqual(bytes);
  });

  it("decodes bin as a view of the input by default and as a copy with copyBinary", () => {
    const input = new Uint8Array(codec.encode({ data: Uint8Array.of(9, 9) }));
    const view = (codec.decode(input) as { data: Uint8Array }).data;
    const copy = (createMsgpackCodec({ copyBinary: true }).decode(input) as { data: Uint8Array })
      .data;
    expect(view.buffer).toBe(input.buffer);
    expect(copy.buffer).not.toBe(input.buffer);
    input.fill(0);
    expect([...view]).toEqual([0, 0]);
    expect([...copy]).toEqual([9, 9]);
  });

  it("refuses typed arrays other than Uint8Array and DataView rather than writing garbage", () => {
    for (const value of [
      new Float64Array([1.5]),
      new Uint16Array([258]),
      new Int8Array(2),
      new Uint8ClampedArray(2),
      new DataView(new ArrayBuffer(4)),
    ]) {
      expect(codeOf(() => codec.encode({ value }))).toBe("CODEC_UNSUPPORTED_TYPE");
    }
  });

  it("decodes plain and null-prototype objects as plain objects", () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    const decoded = roundTrip(bare);
    expect(decoded).toStrictEqual({ a: 1 });
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it("writes class instances through toJSON when they have one, else their own properties", () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON() {
        return `${this.cents / 100} EUR`;
      }
    }
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expect(roundTrip({ price: new Money(250) })).toStrictEqual({ price: "2.5 EUR" });
    expect(roundTrip(new Point(1, 2))).toStrictEqual({ x: 1, y: 2 });
  });

  it("checks what a built-in's subclass gives through its own toJSON, as msgpackr writes that", () => {
    class Stamp extends Date {
      override toJSON() {
        return "day one";
      }
    }
    class Leaky extends Date {
      override toJSON() {
        return new Float64Array(8) as unknown as string; // would put unset pool bytes on the wire
      }
    }
    class Tagged extends Set<number> {
      toJSON() {
        return { tag: [...this] };
      }
    }
    class Bytes extends Uint8Array {
      toJSON() {
        return new Float64Array(2);
      }
    }
    expect(roundTrip({ at: new Stamp(0) })).toStrictEqual({ at: "day one" });
    expect(roundTrip(new Tagged([1, 2]))).toStrictEqual({ tag: [1, 2] });
    for (const value of [{ at: new Leaky(0) }, new Bytes(4)]) {
      expect(() => codec.encode(value)).toThrow(
        expect.objectContaining({ code: "CODEC_UNSUPPORTED_TYPE" }),
      );
    }
    // A plain Date and a Buffer keep their own forms (timestamp, bytes).
    expect(roundTrip(new Date(5))).toStrictEqual(new Date(5));
    expect(roundTrip(Buffer.from([1, 2]))).toStrictEqual(new Uint8Array([1, 2]));
  });

  it("refuses a Map subclass, which msgpackr would write as an empty object", () => {
    class Registry extends Map<string, number> {}
    expect(() => codec.encode({ m: new Registry([["a", 1]]) })).toThrow(
      expect.objectContaining({
        code: "CODEC_UNSUPPORTED_TYPE",
        message: expect.stringContaining("new Map(value)"),
      }),
    );
  });

  it("decodes a Map as an object with String() keys and a Set as an array", () => {
    expect(
      roundTrip(
        new Map<unknown, unknown>([
          ["a", 1],
          [2, "b"],
          [3n, true],
        ]),
      ),
    ).toStrictEqual({
      a: 1,
      "2": "b",
      "3": true,
    });
    expect(roundTrip(new Set([1, "a"]))).toStrictEqual([1, "a"]);
  });

  it("refuses Map keys that are not strings or numbers", () => {
    for (const key of [true, null, {}, [1], Symbol("k"), 2n ** 70n]) {
      expect(codeOf(() => codec.encode(new Map([[key, 1]])))).toBe("CODEC_UNSUPPORTED_TYPE");
    }
  });

  it("refuses RegExp, Error, boxed primitives, functions and symbols", () => {
    // biome-ignore lint/complexity/useArrowFunction: a function value is the point
    const fn = function () {};
    for (const value of [/x/, new Error("x"), new Number(1), new String("s"), fn, Symbol("s")]) {
      expect(codeOf(() => codec.encode(value))).toBe("CODEC_UNSUPPORTED_TYPE");
      expect(codeOf(() => codec.encode({ nested: [value] }))).toBe("CODEC_UNSUPPORTED_TYPE");
    }
  });

  it("refuses __proto__ keys and constructor objects holding prototype, in objects and Maps", () => {
    const own = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(codeOf(() => codec.encode(own))).toBe("CODEC_FORBIDDEN_KEY");
    expect(codeOf(() => codec.encode(new Map([["__proto__", 1]])))).toBe("CODEC_FORBIDDEN_KEY");
    expect(codeOf(() => codec.encode({ constructor: { prototype: {} } }))).toBe(
      "CODEC_FORBIDDEN_KEY",
    );
    expect(
      codeOf(() => codec.encode(new Map([["constructor", new Map([["prototype", 1]])]]))),
    ).toBe("CODEC_FORBIDDEN_KEY");
  });

  it("accepts constructor and prototype keys that cannot pollute", () => {
    const value = { constructor: "x", prototype: { constructor: 1 }, inner: { constructor: [1] } };
    // Compared as JSON: toStrictEqual reads `.constructor`, which these objects overwrite.
    const decoded = roundTrip(value) as typeof value;
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(value));
    expect(Object.getPrototypeOf(decoded.inner)).toBe(Object.prototype);
  });

  it("refuses values nested deeper than maxDepth, and cycles, with CODEC_MAX_DEPTH", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(codeOf(() => codec.encode(deep))).toBe("CODEC_MAX_DEPTH");
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(codeOf(() => codec.encode(cyclic))).toBe("CODEC_MAX_DEPTH");
    const loop = new Map<string, unknown>();
    loop.set("me", loop);
    expect(codeOf(() => codec.encode(loop))).toBe("CODEC_MAX_DEPTH");
  });

  it("accepts nesting of exactly maxDepth both ways and refuses one more level", () => {
    const small = createMsgpackCodec({ maxDepth: 3 });
    expect(small.decode(small.encode([[[1]]]))).toStrictEqual([[[1]]]);
    expect(codeOf(() => small.encode([[[[1]]]]))).toBe("CODEC_MAX_DEPTH");
    expect(codeOf(() => small.decode(codec.encode([[[[1]]]])))).toBe("CODEC_MAX_DEPTH");
    expect(codeOf(() => small.encode({ a: { b: { c: {} } } }))).toBe("CODEC_MAX_DEPTH");
  });

  it("accepts nesting at MAX_DEPTH_LIMIT when maxDepth is raised that far", () => {
    const deepest = createMsgpackCodec({ maxDepth: MAX_DEPTH_LIMIT });
    let value: unknown = "leaf";
    for (let i = 0; i < MAX_DEPTH_LIMIT; i++) value = i % 2 === 0 ? [value] : { k: value };
    expect(deepest.decode(deepest.encode(value))).toStrictEqual(value);
  });
});

describe("msgpack encode buffers", () => {
  it("returns bytes the caller owns: later encodes never overwrite them", () => {
    const first = codec.encode({ keep: "me", n: 1 });
    const snapshot = Uint8Array.from(first);
    const later: Uint8Array[] = [];
    for (let i = 0; i < 20_000; i++) later.push(codec.encode({ i, pad: "y".repeat(i % 500) }));
    expect(first).toStrictEqual(Buffer.from(snapshot));
    expect(codec.decode(first)).toStrictEqual({ keep: "me", n: 1 });
    // Results that share msgpackr's buffer never overlap.
    const ranges = [first, ...later]
      .filter((bytes) => bytes.buffer === first.buffer)
      .map((bytes) => [bytes.byteOffset, bytes.byteOffset + bytes.byteLength] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++)
      expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
  });

  it("lets the caller write into its bytes without touching another result", () => {
    const a = codec.encode([1, 2, 3]);
    const b = codec.encode([4, 5, 6]);
    a.fill(0xc0);
    expect(codec.decode(b)).toStrictEqual([4, 5, 6]);
  });

  it("reserves zeroed header bytes in front of the body with encodeReserved", () => {
    const framed = codec.encodeReserved({ x: 1 }, 8);
    expect([...framed.subarray(0, 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(codec.decode(framed.subarray(8))).toStrictEqual({ x: 1 });
    expect(codec.encodeReserved(undefined, 4)).toStrictEqual(new Uint8Array(4));
    expect(codec.encodeReserved("a", 0)).toStrictEqual(codec.encode("a"));
    expect(codec.encodeReserved("a", MAX_RESERVE_BYTES)).toHaveLength(MAX_RESERVE_BYTES + 2);
  });

  it("refuses a reserveBytes outside 0 to MAX_RESERVE_BYTES with INVALID_OPTION", () => {
    for (const reserve of [-1, 256, 1.5, Number.NaN]) {
      expect(codeOf(() => codec.encodeReserved(1, reserve))).toBe("INVALID_OPTION");
    }
  });

  it("still encodes correctly after an encode that failed half way", () => {
    expect(codeOf(() => codec.encode({ a: "x".repeat(100), b: [1, 2n ** 65n] }))).toBe(
      "CODEC_UNSUPPORTED_TYPE",
    );
    expect(roundTrip({ ok: true })).toStrictEqual({ ok: true });
  });
});

describe("msgpack codec options", () => {
  it("exports its defaults", () => {
    expect(DEFAULT_MAX_DEPTH).toBe(64);
    expect(DEFAULT_INT64_AS).toBe("auto");
    expect(DEFAULT_COPY_BINARY).toBe(false);
    expect(createMsgpackCodec().name).toBe("msgpack");
  });

  it("decodes int64 as BigInt always with int64As bigint, and as text with int64As string", () => {
    const bytes = hex("d3 0000000000000005");
    expect(createMsgpackCodec({ int64As: "bigint" }).decode(bytes)).toBe(5n);
    expect(createMsgpackCodec({ int64As: "string" }).decode(bytes)).toBe("5");
    expect(createMsgpackCodec({ int64As: "auto" }).decode(bytes)).toBe(5);
    expect(createMsgpackCodec({ int64As: "bigint" }).decode(hex("ce ffffffff"))).toBe(4294967295);
  });

  it("refuses bad options with INVALID_OPTION naming the option", () => {
    const cases: [object, string][] = [
      [{ maxDepth: 0 }, "maxDepth"],
      [{ maxDepth: MAX_DEPTH_LIMIT + 1 }, "maxDepth"],
      [{ maxDepth: 2.5 }, "maxDepth"],
      [{ int64As: "number" }, "int64As"],
      [{ copyBinary: "yes" }, "copyBinary"],
    ];
    for (const [options, name] of cases) {
      expect(() => createMsgpackCodec(options as never)).toThrow(name);
      expect(codeOf(() => createMsgpackCodec(options as never))).toBe("INVALID_OPTION");
    }
    expect(codeOf(() => createMsgpackCodec(64 as never))).toBe("INVALID_OPTION");
  });
});
