import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameReader } from "../src/frame-reader.js";
import { encodeMetadata } from "../src/metadata-block.js";

/** The block as docs/protocol.md §3 lays it out, built the plain way. */
function reference(metadata: Record<string, string>): Uint8Array {
  const encoder = new TextEncoder();
  const parts: number[] = [Object.keys(metadata).length];
  for (const [key, value] of Object.entries(metadata)) {
    const k = encoder.encode(key);
    const v = encoder.encode(value);
    parts.push(k.length, ...k, v.length >>> 8, v.length & 0xff, ...v);
  }
  return Uint8Array.from(parts);
}

// ASCII (a traceparent's alphabet), two-byte sequences, any code point, and lone surrogates.
const char = (min: number, max: number) =>
  fc.integer({ min, max }).map((c) => String.fromCharCode(c));
const text = fc.oneof(
  fc.string({ unit: "grapheme-ascii", maxLength: 80 }),
  fc.string({ unit: fc.oneof(char(0x20, 0x7e), char(0x80, 0x7ff)), maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: char(0xd800, 0xdfff) }),
  fc.string({ maxLength: 20 }).map((s) => `\uFEFF${s}`),
);
const entries = fc.dictionary(
  text.filter((k) => k.length > 0 && new TextEncoder().encode(k).length <= 255),
  text,
  { maxKeys: 6 },
);

describe("metadata block", () => {
  it("lays out any metadata as the plain encoding does, and reads back as TextDecoder would", () => {
    fc.assert(
      fc.property(entries, (metadata) => {
        const bytes = encodeMetadata(metadata);
        expect([...bytes]).toEqual([...reference(metadata)]);
        // Lone surrogates go out as U+FFFD, so what comes back is the encoder's view of each string.
        const seen = (s: string) =>
          new TextDecoder("utf-8", { ignoreBOM: true }).decode(new TextEncoder().encode(s));
        const expected = Object.fromEntries(
          Object.entries(metadata).map(([k, v]) => [seen(k), seen(v)]),
        );
        const back = new FrameReader(bytes, 0, 0, bytes.length, 1).metadata();
        expect({ ...back }).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("reads each value once: a getter that answers differently the second time changes nothing", () => {
    let reads = 0;
    const metadata = {
      get traceparent() {
        reads++;
        return reads === 1 ? "a value of some length" : "x";
      },
    };
    const bytes = encodeMetadata(metadata);
    expect(reads).toBe(1);
    expect([...bytes]).toEqual([...reference({ traceparent: "a value of some length" })]);
  });

  it("refuses an empty key, a key over 255 bytes, a value over 65535 bytes and a non-string value", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return "none";
    };
    expect(code(() => encodeMetadata({ "": "v" }))).toBe("INVALID_OPTION");
    expect(code(() => encodeMetadata({ ["é".repeat(128)]: "v" }))).toBe("INVALID_OPTION");
    expect(code(() => encodeMetadata({ k: "é".repeat(32_768) }))).toBe("INVALID_OPTION");
    expect(code(() => encodeMetadata({ k: 5 } as unknown as Record<string, string>))).toBe(
      "INVALID_OPTION",
    );
    expect(code(() => encodeMetadata({ ["k".repeat(255)]: "v".repeat(65_535) }))).toBe("none");
  });
});
