import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { isParleyError } from "@parley/framing";
import { describe, expect, it } from "vitest";
import {
  CODEC_ERROR_CODES,
  type CodecError,
  createMsgpackCodec,
  MAX_DEPTH_LIMIT,
} from "../src/index.js";
import { hex } from "./value-models.js";

const codec = createMsgpackCodec();

function codeOf(bytes: Uint8Array, target = codec): string | undefined {
  try {
    target.decode(bytes);
  } catch (error) {
    return (error as CodecError).code;
  }
  return undefined;
}

function repeat(unit: string, times: number, tail = "c0"): Uint8Array {
  return hex(unit.repeat(times) + tail);
}

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

function expectPrototypesUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.toString.call({})).toBe("[object Object]");
}

// A message using every token family, for the truncation and corruption sweeps.
const richMessage = codec.encode({
  id: 300,
  neg: -70_000,
  big: 2n ** 60n,
  ratio: 1.25,
  ok: true,
  none: null,
  text: "héllo",
  long: "z".repeat(40),
  bytes: Uint8Array.of(1, 2, 3),
  when: new Date(1_700_000_000_123),
  list: [1, [2, [3]], {}, []],
  map: new Map([[7, "seven"]]),
});

describe("msgpack decode of hostile bytes", () => {
  it("refuses 10,000-deep nesting of every container form with CODEC_MAX_DEPTH", () => {
    const deepest = createMsgpackCodec({ maxDepth: MAX_DEPTH_LIMIT });
    for (const unit of ["91", "dc0001", "dd00000001", "81a161", "de0001a161", "df00000001a161"]) {
      expect(codeOf(repeat(unit, 10_000))).toBe("CODEC_MAX_DEPTH");
      expect(codeOf(repeat(unit, 10_000), deepest)).toBe("CODEC_MAX_DEPTH");
    }
    expect(codeOf(repeat("9181a161", 5_000))).toBe("CODEC_MAX_DEPTH");
  });

  it("refuses a million-deep array without overflowing the stack", () => {
    expect(codeOf(new Uint8Array(1_000_000).fill(0x91))).toBe("CODEC_MAX_DEPTH");
  });

  it("refuses an array32 declaring 4 billion elements inside a 10-byte buffer, before allocating", () => {
    const bytes = hex("dd ffffffff 0102030405");
    expect(bytes).toHaveLength(10);
    expect(codeOf(bytes)).toBe("CODEC_TRUNCATED");
    // Refused at the header, not after walking elements that are not there.
    expect(() => codec.decode(bytes)).toThrow("array declares 4294967295 entries at offset 5");
  });

  it("refuses every length header that declares more than the bytes that remain", () => {
    for (const text of [
      "df ffffffff 01", // map32
      "de ffff 01", // map16
      "dc 0010 01", // array16 of 16 with 1 byte
      "db ffffffff 61", // str32
      "da 0100 61", // str16
      "d9 05 61", // str8
      "c6 ffffffff 00", // bin32
      "c5 0100 00", // bin16
      "c4 02 00", // bin8
      "c9 ffffffff ff 00", // ext32
      "c8 0100 ff 00", // ext16
      "c7 0c ff 00", // ext8
      "82 a161 01", // fixmap of 2 with one entry
      "95 01 02", // fixarray of 5 with two
      "dd 00000003 dd 00000002 dd 00000001", // nested headers, each within the bytes left
    ]) {
      expect(codeOf(hex(text)), text).toBe("CODEC_TRUNCATED");
    }
  });

  it("refuses every strict prefix of a valid message with CODEC_TRUNCATED", () => {
    for (let length = 1; length < richMessage.length; length++) {
      expect(codeOf(richMessage.subarray(0, length)), `prefix of ${length}`).toBe(
        "CODEC_TRUNCATED",
      );
    }
    expect(codeOf(richMessage)).toBeUndefined();
  });

  it("refuses bytes after the value with CODEC_TRAILING_BYTES", () => {
    expect(codeOf(hex("c0 c0"))).toBe("CODEC_TRAILING_BYTES");
    expect(codeOf(hex("92 01 02 03"))).toBe("CODEC_TRAILING_BYTES");
  });

  it("gives a value or a coded error for every byte of a valid message set to every value", () => {
    const codes = new Set<string>();
    // Violations are collected and asserted once: an expect() per decode would dominate the run.
    const uncoded: string[] = [];
    const known = new Set<string>(CODEC_ERROR_CODES);
    const bytes = Uint8Array.from(richMessage);
    for (let at = 0; at < bytes.length; at++) {
      const original = bytes[at]!;
      for (let value = 0; value < 256; value++) {
        bytes[at] = value;
        try {
          codec.decode(bytes);
        } catch (error) {
          const code = (error as CodecError).code;
          if (!isParleyError(error) || !known.has(code))
            uncoded.push(`byte ${at} = ${value}: ${String(error)}`);
          codes.add(code);
        }
      }
      bytes[at] = original;
    }
    expect(uncoded).toEqual([]);
    expect(codes.size).toBeGreaterThanOrEqual(4);
    expectPrototypesUntouched();
  });

  it("refuses __proto__ keys in every string form and at any depth with CODEC_FORBIDDEN_KEY", () => {
    const proto = "5f5f70726f746f5f5f";
    for (const text of [
      `81 a9${proto} 81a8706f6c6c75746564c3`,
      `81 d909${proto} c3`,
      `81 da0009${proto} c3`,
      `81 db00000009${proto} c3`,
      `91 91 81 a161 81 a9${proto} c3`,
    ]) {
      expect(codeOf(hex(text)), text).toBe("CODEC_FORBIDDEN_KEY");
    }
    expectPrototypesUntouched();
  });

  it("refuses a constructor map holding a prototype key, and accepts the words elsewhere", () => {
    const constructorKey = "ab636f6e7374727563746f72";
    const prototypeKey = "a970726f746f74797065";
    expect(codeOf(hex(`81 ${constructorKey} 81 ${prototypeKey} 81a161c3`))).toBe(
      "CODEC_FORBIDDEN_KEY",
    );
    expect(codeOf(hex(`81 ${constructorKey} 82 a178c0 ${prototypeKey} c3`))).toBe(
      "CODEC_FORBIDDEN_KEY",
    );
    expect(codec.decode(hex(`81 ${prototypeKey} 81 ${constructorKey} c3`))).toStrictEqual({
      prototype: JSON.parse('{"constructor": true}'),
    });
    expect(JSON.stringify(codec.decode(hex(`81 ${constructorKey} 91 81 ${prototypeKey} c3`)))).toBe(
      '{"constructor":[{"prototype":true}]}',
    );
    expectPrototypesUntouched();
  });

  it("refuses every extension but the timestamp with CODEC_UNKNOWN_EXTENSION", () => {
    // 0: msgpackr undefined, 0x42: BigInt, 0x62: bundled strings, 0x65: Error, 0x69/0x70:
    // structured-clone references, 0x72: records, 0x73: Set, 0x74: typed arrays, 0x78: RegExp.
    for (const type of [
      "00",
      "05",
      "42",
      "62",
      "65",
      "69",
      "70",
      "72",
      "73",
      "74",
      "78",
      "7f",
      "fe",
      "80",
    ]) {
      for (const text of [
        `d4 ${type} 00`,
        `d5 ${type} 0000`,
        `d6 ${type} 00000000`,
        `d7 ${type} 0000000000000000`,
        `d8 ${type} ${"00".repeat(16)}`,
        `c7 03 ${type} 000000`,
        `c8 0003 ${type} 000000`,
        `c9 00000003 ${type} 000000`,
      ]) {
        expect(codeOf(hex(text)), text).toBe("CODEC_UNKNOWN_EXTENSION");
      }
    }
    // A msgpackr record: definition of id 0x40 with keys a, b, then the values 1, 2.
    expect(codeOf(hex("d4 72 40 92 a161 a162 01 02"))).toBe("CODEC_UNKNOWN_EXTENSION");
    expect(codeOf(hex("91 d6 69 00000001 90"))).toBe("CODEC_UNKNOWN_EXTENSION");
  });

  it("refuses malformed timestamps with CODEC_INVALID_DATA", () => {
    for (const text of [
      "d4 ff ff", // msgpackr's invalid-date marker
      "d5 ff 0000",
      `d8 ff ${"00".repeat(16)}`,
      "c7 03 ff 000000",
      "d7 ff ffffffff 00000000", // 64-bit form, nanoseconds >= 1e9
      "c7 0c ff 3b9aca00 0000000000000000", // 96-bit form, nanoseconds = 1e9
      "c7 0c ff 00000000 7fffffffffffffff", // 96-bit form, beyond the Date range
      "c7 0c ff 00000000 000007dba8218001", // 96-bit form, one second past the latest Date
      "c7 0c ff 00000000 fffff82457de7fff", // 96-bit form, one second before the earliest Date
    ]) {
      expect(codeOf(hex(text)), text).toBe("CODEC_INVALID_DATA");
    }
    expect(codec.decode(hex("c7 0c ff 00000000 000007dba8218000"))).toStrictEqual(
      new Date(8.64e15),
    );
    expect(codec.decode(hex("c7 0c ff 00000000 fffff82457de8000"))).toStrictEqual(
      new Date(-8.64e15),
    );
  });

  it("refuses the reserved byte 0xc1 and map keys that are not strings or numbers", () => {
    expect(codeOf(hex("c1"))).toBe("CODEC_INVALID_DATA");
    expect(codeOf(hex("92 01 c1"))).toBe("CODEC_INVALID_DATA");
    for (const key of ["c0", "c3", "c40161", "9101", "81a16101", "d6ff00000000", "c1"]) {
      expect(codeOf(hex(`81 ${key} 01`)), key).toBe("CODEC_INVALID_DATA");
    }
  });

  it("decodes invalid UTF-8 in strings as U+FFFD, in short, long and many-string bodies", () => {
    expect(codec.decode(hex("a3 fffefd"))).toBe("\ufffd\ufffd\ufffd");
    expect(codec.decode(hex(`d9c8 ${"ff".repeat(200)}`))).toBe("\ufffd".repeat(200));
    const many = codec.decode(hex(`dc00c8 ${"a2c328".repeat(200)}`)) as string[];
    expect(new Set(many)).toStrictEqual(new Set(["\ufffd("]));
  });

  it("accepts integer and float map keys as their String() form", () => {
    expect(codec.decode(hex("83 01 a161 d1fed4 a162 cb3ff8000000000000 a163"))).toStrictEqual({
      "1": "a",
      "-300": "b",
      "1.5": "c",
    });
  });

  it("keeps decoding valid messages after every kind of refusal", () => {
    for (const text of [
      "dd ffffffff 00",
      "c1",
      "d4 72 40",
      "81 a95f5f70726f746f5f5f c3",
      "c0 c0",
    ]) {
      expect(codeOf(hex(text))).toBeDefined();
      expect(codec.decode(richMessage)).toMatchObject({ id: 300, text: "héllo" });
    }
  });

  it("keeps the heap flat across thousands of hostile decodes", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const hostile = [
      hex("dd ffffffff 0102030405"),
      hex("df ffffffff 01"),
      hex("db ffffffff 61"),
      hex("dd 07ffffff"), // 134 million elements: new Array would take a gigabyte
      new Uint8Array(100_000).fill(0x91),
      repeat("81a161", 10_000),
      richMessage.subarray(0, richMessage.length - 1),
    ];
    const heap = () => {
      gc();
      return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    };
    for (const bytes of hostile) codeOf(bytes); // warm up
    const before = heap();
    for (let round = 0; round < 500; round++) {
      for (const bytes of hostile) expect(codeOf(bytes)).toBeDefined();
    }
    expect(heap() - before).toBeLessThan(8 * 1024 * 1024);
  });
});
