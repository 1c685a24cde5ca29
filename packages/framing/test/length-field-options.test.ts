import {
  DEFAULT_BYTE_ORDER,
  DEFAULT_LENGTH_ADJUSTMENT,
  DEFAULT_LENGTH_FIELD_LENGTH,
  DEFAULT_LENGTH_FIELD_OFFSET,
  DEFAULT_MAX_FRAME_BYTES,
  LengthFieldDecoder,
  LengthFieldEncoder,
  type LengthFieldLength,
  type LengthFieldOptions,
  resolveLengthFieldOptions,
} from "@parley/framing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readLengthField, writeLengthField } from "../src/length-field-options.js";
import { lengthBytes, thrown } from "./support.js";

describe("resolveLengthFieldOptions", () => {
  it("resolves no options to a 4-byte big-endian payload length, stripped, limited to 4 MiB", () => {
    expect(resolveLengthFieldOptions()).toEqual({
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      lengthFieldLength: DEFAULT_LENGTH_FIELD_LENGTH,
      littleEndian: DEFAULT_BYTE_ORDER === "little",
      lengthFieldOffset: DEFAULT_LENGTH_FIELD_OFFSET,
      headerBytes: 4,
      adjustment: DEFAULT_LENGTH_ADJUSTMENT,
      initialBytesToStrip: 4,
      maxFieldValue: 2 ** 32 - 1,
    });
    expect(Object.isFrozen(resolveLengthFieldOptions())).toBe(true);
  });

  it("strips the whole header by default, wherever the length field sits", () => {
    expect(resolveLengthFieldOptions({ lengthFieldOffset: 3, lengthFieldLength: 2 })).toMatchObject(
      {
        headerBytes: 5,
        initialBytesToStrip: 5,
      },
    );
  });

  it("folds lengthIncludesHeader into the adjustment", () => {
    const resolved = resolveLengthFieldOptions({
      lengthFieldOffset: 1,
      lengthFieldLength: 2,
      lengthAdjustment: 1,
      lengthIncludesHeader: true,
    });
    expect(resolved.adjustment).toBe(1 - 3);
  });

  const bad: [LengthFieldOptions, string][] = [
    [{ maxFrameBytes: 0 }, "maxFrameBytes must be a positive integer (got 0)"],
    [{ maxFrameBytes: 1.5 }, "maxFrameBytes must be a positive integer"],
    [{ maxFrameBytes: Number.POSITIVE_INFINITY }, "maxFrameBytes must be a positive integer"],
    [
      { lengthFieldLength: 5 as LengthFieldLength },
      "lengthFieldLength must be one of 1, 2, 3, 4, 8",
    ],
    [{ byteOrder: "middle" as "big" }, 'byteOrder must be one of "big", "little"'],
    [{ lengthFieldOffset: -1 }, "lengthFieldOffset must be an integer from 0 to 4194304"],
    [
      { lengthFieldOffset: 11, maxFrameBytes: 10 },
      "lengthFieldOffset must be an integer from 0 to 10",
    ],
    [{ lengthAdjustment: 0.5 }, "lengthAdjustment must be a safe integer"],
    [{ initialBytesToStrip: -2 }, "initialBytesToStrip must be a non-negative integer"],
    // Layouts in which no frame at all could be decoded or encoded.
    [
      { maxFrameBytes: 10, initialBytesToStrip: 15 },
      "initialBytesToStrip must be an integer from 0 to 14",
    ],
    [
      { lengthFieldLength: 1, maxFrameBytes: 1000, initialBytesToStrip: 300 },
      "initialBytesToStrip must be an integer from 0 to 256",
    ],
    [
      { maxFrameBytes: 10, lengthAdjustment: 11 },
      "lengthAdjustment must be from -4294967295 to 10",
    ],
    [{ lengthFieldLength: 1, lengthAdjustment: -256 }, "lengthAdjustment must be from -255 to"],
    [
      { lengthFieldLength: 1, lengthAdjustment: -255, lengthIncludesHeader: true },
      "lengthAdjustment minus the header (lengthIncludesHeader) must be from -255 to",
    ],
    [
      { lengthIncludesHeader: "yes" as unknown as boolean },
      "lengthIncludesHeader must be true or false",
    ],
  ];
  for (const [options, message] of bad) {
    it(`rejects ${JSON.stringify(options)} naming the option and its rule`, () => {
      for (const make of [
        () => resolveLengthFieldOptions(options),
        () => new LengthFieldDecoder(options),
        () => new LengthFieldEncoder(options),
      ]) {
        const error = thrown(make);
        expect(error.code).toBe("INVALID_OPTION");
        expect(error.name).toBe("InvalidOptionError");
        expect(error.message).toContain(message);
      }
    });
  }
});

describe("layouts at the edge of what can work", () => {
  it("accepts the widest strip, adjustment and offset that still leave a frame to decode", () => {
    for (const options of [
      { maxFrameBytes: 10, initialBytesToStrip: 14 },
      { maxFrameBytes: 10, lengthAdjustment: 10 },
      { lengthFieldLength: 1, lengthAdjustment: -255 },
      { lengthFieldLength: 1, lengthAdjustment: -253, lengthIncludesHeader: true },
    ] satisfies LengthFieldOptions[]) {
      expect(() => new LengthFieldDecoder(options)).not.toThrow();
    }
    const stripAll = new LengthFieldDecoder({ maxFrameBytes: 2, initialBytesToStrip: 6 });
    expect(stripAll.decode(Uint8Array.of(0, 0, 0, 2, 7, 7))).toEqual([new Uint8Array(0)]);
    const offsetHeader = new LengthFieldDecoder({
      lengthFieldLength: 1,
      lengthFieldOffset: 254,
      lengthIncludesHeader: true,
    });
    expect(() => offsetHeader).not.toThrow();
    expect(
      () =>
        new LengthFieldDecoder({
          lengthFieldLength: 1,
          lengthFieldOffset: 255,
          lengthIncludesHeader: true,
        }),
    ).toThrow(/lengthAdjustment minus the header/);
  });
});

describe("length field reading and writing", () => {
  const widths: LengthFieldLength[] = [1, 2, 3, 4, 8];

  it("reads what a BigInt reference writes, for every width, order and boundary value", () => {
    for (const width of widths) {
      const max = width === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * width) - 1;
      for (const value of [0, 1, 0x7f, 0x80, 0xff, 2 ** 31, 2 ** 32 - 1, 2 ** 32, max - 1, max]) {
        if (value > max) continue;
        for (const little of [false, true]) {
          const buf = lengthBytes(value, width, little);
          expect(readLengthField(buf, 0, width, little), `${width} ${little} ${value}`).toBe(value);
          const out = new Uint8Array(width);
          writeLengthField(out, 0, value, width, little);
          expect(out).toEqual(buf);
        }
      }
    }
  });

  it("round-trips any value that fits, at any offset", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...widths),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(8),
        (width, little, fraction, offset) => {
          const max = width === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * width) - 1;
          const value = Math.floor(fraction * max);
          const out = new Uint8Array(offset + width + 2).fill(0xcc);
          writeLengthField(out, offset, value, width, little);
          expect(out.subarray(offset, offset + width)).toEqual(lengthBytes(value, width, little));
          expect(out[offset + width]).toBe(0xcc); // nothing written past the field
          expect(readLengthField(out, offset, width, little)).toBe(value);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
