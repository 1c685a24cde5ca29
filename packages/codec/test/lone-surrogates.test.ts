import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMsgpackCodec } from "../src/index.js";

// A lone surrogate is written as U+FFFD (EF BF BD), one per surrogate, at every string length: the
// rule of the WHATWG Encoding Standard and String.prototype.toWellFormed, and what msgpack-python
// and other implementations accept (msgpack-interop.test.ts checks them against msgpack-python).

const codec = createMsgpackCodec();
const wellFormed = (text: string) => (text as unknown as { toWellFormed(): string }).toWellFormed();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** The 3-byte CESU-8 form of a surrogate: ED followed by A0-BF. */
function hasCesu8(bytes: Uint8Array): boolean {
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xed && bytes[i + 1]! >= 0xa0 && bytes[i + 1]! <= 0xbf) return true;
  }
  return false;
}

function countReplacements(bytes: Uint8Array): number {
  return hex(bytes).match(/efbfbd/g)?.length ?? 0;
}

/** Strings rich in surrogates: lone highs, lone lows, valid pairs, reversed pairs, ASCII. */
const surrogateText = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.integer({ min: 0x80, max: 0xffff }),
    ),
    { maxLength: 150 },
  )
  .map((units) => String.fromCharCode(...units));

describe("lone surrogates in msgpack strings", () => {
  it("become one U+FFFD each at every length from 1 to 130 units, never CESU-8", () => {
    for (const surrogate of ["\ud800", "\udbff", "\udc00", "\udfff"]) {
      for (let length = 1; length <= 130; length++) {
        for (const at of [0, length >> 1, length - 1]) {
          const text = `${"a".repeat(at)}${surrogate}${"b".repeat(length - at - 1)}`;
          const bytes = codec.encode(text);
          const label = `U+${surrogate.charCodeAt(0).toString(16)} at ${at} of ${length}`;
          expect(hasCesu8(bytes), label).toBe(false);
          expect(countReplacements(bytes), label).toBe(1);
          expect(codec.decode(bytes), label).toBe(wellFormed(text));
        }
      }
    }
  });

  it("keep valid surrogate pairs as 4-byte UTF-8 and replace a reversed pair with two U+FFFD", () => {
    expect(hex(codec.encode("😀"))).toBe("a4f09f9880");
    expect(hex(codec.encode("\ude00\ud83d"))).toBe("a6efbfbdefbfbd");
    expect(codec.decode(codec.encode("x\ude00\ud83dy"))).toBe("x\ufffd\ufffdy");
  });

  it("are replaced in object keys, Map keys, Set items, toJSON results and nested values too", () => {
    const lone = "k\udc01";
    class Stamp {
      toJSON() {
        return lone;
      }
    }
    const value = {
      [lone]: [lone, { deep: new Map([[lone, new Set([lone])]]) }],
      when: new Stamp(),
      bytes: new Uint8Array([0xed, 0xa0, 0x80]),
    };
    const fixed = "k\ufffd";
    const bytes = codec.encode(value);
    expect(hasCesu8(bytes.subarray(0, bytes.length - 3)), "CESU-8 outside the binary").toBe(false);
    const decoded = codec.decode(bytes) as Record<string, unknown>;
    expect({ ...decoded, bytes: hex(decoded.bytes as Uint8Array) }).toStrictEqual({
      [fixed]: [fixed, { deep: { [fixed]: [fixed] } }],
      when: fixed,
      bytes: "eda080", // binary is bytes, never touched
    });
  });

  it("are replaced by encodeReserved() as by encode(), after the reserved header room", () => {
    const text = "head\ud800";
    const reserved = codec.encodeReserved(text, 4);
    expect(hex(reserved.subarray(4))).toBe(hex(codec.encode(text)));
    expect(hasCesu8(reserved)).toBe(false);
  });

  it("leave the value the caller passed untouched", () => {
    const value = { text: "a\ud800", list: ["\udfff"] };
    codec.encode(value);
    expect(value).toStrictEqual({ text: "a\ud800", list: ["\udfff"] });
  });

  it("property: any string encodes as its well-formed twin and decodes to it", () => {
    fc.assert(
      fc.property(surrogateText, (text) => {
        const bytes = codec.encode(text);
        expect(hex(bytes)).toBe(hex(codec.encode(wellFormed(text))));
        expect(hasCesu8(bytes)).toBe(false);
        expect(codec.decode(bytes)).toBe(wellFormed(text));
      }),
      { numRuns: 2000, seed: 16 },
    );
  });
});
