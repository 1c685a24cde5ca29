// Seeded properties (fast-check prints the seed and the shrunk counterexample on failure; replay
// with fc.assert(..., { seed, path })).
import {
  FRAMING_ERROR_CODES,
  isParleyError,
  LengthFieldDecoder,
  LengthFieldEncoder,
  type LengthFieldLength,
} from "@parley/framing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concat, cut, decodeAll, lengthBytes } from "./support.js";

const RUNS = { numRuns: 1000 };

/** A random Netty-style layout whose lengths always fit (bodies stay under 200 bytes). */
const layout = fc
  .record({
    lengthFieldLength: fc.constantFrom<LengthFieldLength>(1, 2, 3, 4, 8),
    little: fc.boolean(),
    lengthFieldOffset: fc.integer({ min: 0, max: 5 }),
    style: fc.constantFrom("body", "whole", "extra-header"),
    extraHeader: fc.integer({ min: 1, max: 3 }),
    stripFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((l) => {
    const headerBytes = l.lengthFieldOffset + l.lengthFieldLength;
    const adjustment =
      l.style === "whole" ? -headerBytes : l.style === "extra-header" ? l.extraHeader : 0;
    return {
      ...l,
      headerBytes,
      adjustment,
      initialBytesToStrip: Math.floor(l.stripFraction * headerBytes),
    };
  });

type Layout = typeof layout extends fc.Arbitrary<infer T> ? T : never;

/** The wire form of one frame under `l`, built from the layout's definition, not from src. */
function wireFrame(l: Layout, prefix: Uint8Array, body: Uint8Array): Uint8Array {
  const value = body.length - l.adjustment;
  return concat(
    prefix.subarray(0, l.lengthFieldOffset),
    lengthBytes(value, l.lengthFieldLength, l.little),
    body,
  );
}

/** A decoder for layout `l`. */
function decoderFor(l: Layout): LengthFieldDecoder {
  return new LengthFieldDecoder({
    lengthFieldLength: l.lengthFieldLength,
    byteOrder: l.little ? "little" : "big",
    lengthFieldOffset: l.lengthFieldOffset,
    lengthAdjustment: l.adjustment,
    initialBytesToStrip: l.initialBytesToStrip,
  });
}

const bodies = (minLength: number) =>
  fc.array(fc.uint8Array({ minLength, maxLength: 199 }), { maxLength: 12 });
const cuts = fc.array(fc.nat(), { maxLength: 24 });
// Enough pieces for one frame to arrive in more than 32 chunks (the decoder then assembles in place).
const manyCuts = fc.array(fc.nat(), { maxLength: 120 });
const toOffsets = (raw: number[], total: number) =>
  [...new Set(raw.map((n) => n % (total + 1)))].sort((a, b) => a - b);

describe("LengthFieldDecoder properties", () => {
  it("decodes any frames in any layout, cut into any chunks, to the same frames", () => {
    fc.assert(
      fc.property(
        layout,
        bodies(3),
        fc.uint8Array({ minLength: 5, maxLength: 5 }),
        manyCuts,
        (l, bs, prefix, raw) => {
          const wires = bs.map((b) => wireFrame(l, prefix, b));
          const wire = concat(...wires);
          const decoder = decoderFor(l);
          const frames = decodeAll(decoder, cut(wire, toOffsets(raw, wire.length)));
          expect(frames).toEqual(wires.map((w) => w.subarray(l.initialBytesToStrip)));
        },
      ),
      RUNS,
    );
  });

  it("tells where each frame lies (pushSpans) exactly as push hands it over, in chunks apart or adjoining", () => {
    fc.assert(
      fc.property(layout, bodies(3), manyCuts, fc.boolean(), (l, bs, raw, adjoining) => {
        const prefix = new Uint8Array(5);
        const wires = bs.map((b) => wireFrame(l, prefix, b));
        const wire = concat(...wires);
        const offsets = toOffsets(raw, wire.length);
        // Views of one buffer, back to back (as reads into a slab), or separate copies.
        const chunks = adjoining
          ? cut(wire, offsets).map((_, i, all) => {
              const at = all.slice(0, i).reduce((n, c) => n + c.length, 0);
              return wire.subarray(at, at + all[i]!.length);
            })
          : cut(wire, offsets);
        const decoder = decoderFor(l);
        const frames: Uint8Array[] = [];
        for (const chunk of chunks) {
          decoder.pushSpans(chunk, (span) => {
            expect(span.buffer).toBe(span.bytes.buffer);
            expect(span.byteOffset).toBe(span.bytes.byteOffset);
            const length = span.end - span.start;
            frames.push(new Uint8Array(span.buffer, span.byteOffset + span.start, length).slice());
          });
        }
        decoder.end();
        expect(frames).toEqual(wires.map((w) => w.subarray(l.initialBytesToStrip)));
      }),
      RUNS,
    );
  });

  it("round-trips any payloads through the encoder and the decoder, whatever the chunking", () => {
    const encoderLayout = fc.record({
      lengthFieldLength: fc.constantFrom<LengthFieldLength>(2, 3, 4, 8),
      byteOrder: fc.constantFrom("big" as const, "little" as const),
      lengthIncludesHeader: fc.boolean(),
    });
    fc.assert(
      fc.property(encoderLayout, bodies(0), cuts, fc.boolean(), (options, payloads, raw, batch) => {
        const encoder = new LengthFieldEncoder(options);
        const wire = batch
          ? encoder.encodeBatch(payloads)
          : concat(...payloads.map((p) => encoder.encode(p)));
        const frames = decodeAll(
          new LengthFieldDecoder(options),
          cut(wire, toOffsets(raw, wire.length)),
        );
        expect(frames).toEqual(payloads);
      }),
      RUNS,
    );
  });

  it("encodes exactly the bytes the layout defines", () => {
    const encoderLayout = fc.record({
      lengthFieldLength: fc.constantFrom<LengthFieldLength>(1, 2, 3, 4, 8),
      little: fc.boolean(),
      lengthAdjustment: fc.integer({ min: -8, max: 3 }),
      lengthIncludesHeader: fc.boolean(),
    });
    fc.assert(
      fc.property(encoderLayout, fc.uint8Array({ minLength: 3, maxLength: 199 }), (l, body) => {
        const { lengthFieldLength: width, lengthAdjustment, lengthIncludesHeader } = l;
        const value = body.length - lengthAdjustment + (lengthIncludesHeader ? width : 0);
        const expected = concat(lengthBytes(value, width, l.little), body);
        const encoder = new LengthFieldEncoder({
          lengthFieldLength: width,
          byteOrder: l.little ? "little" : "big",
          lengthAdjustment,
          lengthIncludesHeader,
        });
        // The encoder hands out Node Buffers; compare bytes, not classes.
        expect(Uint8Array.from(encoder.encode(body))).toEqual(expected);
        expect(concat(...encoder.encodeVectored(body))).toEqual(expected);
        const room = new Uint8Array(width + 2);
        expect(encoder.writeHeader(room, 2, body.length)).toBe(width);
        expect(room.subarray(2)).toEqual(expected.subarray(0, width));
      }),
      RUNS,
    );
  });

  it("meets any byte sequence with frames or a framing error code, never anything else", () => {
    fc.assert(
      fc.property(layout, fc.uint8Array({ maxLength: 400 }), cuts, (l, bytes, raw) => {
        const maxFrameBytes = 64;
        const decoder = new LengthFieldDecoder({
          maxFrameBytes,
          lengthFieldLength: l.lengthFieldLength,
          lengthFieldOffset: l.lengthFieldOffset,
          lengthAdjustment: l.adjustment,
          initialBytesToStrip: l.initialBytesToStrip,
        });
        try {
          for (const chunk of cut(bytes, toOffsets(raw, bytes.length))) {
            decoder.push(chunk, (f) => {
              expect(f.length).toBeLessThanOrEqual(l.headerBytes + maxFrameBytes);
            });
            // Bounded by one header plus one body, whatever the bytes claim.
            expect(decoder.bufferedBytes).toBeLessThan(l.headerBytes + maxFrameBytes);
          }
          decoder.end();
        } catch (error) {
          expect(isParleyError(error)).toBe(true);
          expect(FRAMING_ERROR_CODES).toContain((error as { code: string }).code);
        }
      }),
      RUNS,
    );
  });
});
