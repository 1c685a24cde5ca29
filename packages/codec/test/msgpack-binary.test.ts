import { Buffer } from "node:buffer";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { type CodecError, createMsgpackCodec, ZERO_COPY_MIN_BYTES } from "../src/index.js";
import { encodeBinary } from "../src/msgpack-binary.js";
import { msgpackModel, msgpackValue, plainBinary, top } from "./value-models.js";

// The reference: msgpackr on its own, with the settings that matter for bin.
const reference = new Packr({ useRecords: false, moreTypes: false, structuredClone: false });
const codec = createMsgpackCodec();
const runs = { numRuns: 300, seed: 0x5eed };

/** Lengths on both sides of every bin header width. */
const EDGE_LENGTHS = [0, 1, 255, 256, 65_535, 65_536, 70_000];

function bytesOf(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return bytes;
}

/** Hex of the first bytes and the length: readable in a failure, cheap for 70 000 bytes. */
function digest(bytes: Uint8Array): string {
  return `${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64")}/${bytes.length}`;
}

function errorOf(decode: () => unknown): { code: string; message: string } | undefined {
  try {
    decode();
  } catch (error) {
    return { code: (error as CodecError).code, message: (error as Error).message };
  }
  return undefined;
}

describe("msgpack codec: a body that is one byte string", () => {
  it("writes exactly msgpackr's bytes (bin 8, 16 and 32) for Uint8Array and Buffer", () => {
    for (const length of EDGE_LENGTHS) {
      const bytes = bytesOf(length);
      const expected = digest(reference.pack(bytes));
      expect(digest(codec.encode(bytes)), `length ${length}`).toBe(expected);
      expect(digest(codec.encode(Buffer.from(bytes))), `length ${length}`).toBe(expected);
    }
  });

  it("zeroes the reserved bytes even when the memory behind them held data", () => {
    // Memory full of 0xee, as a reused slab could be: any byte left unwritten would show.
    const dirty = (n: number) => new Uint8Array(n).fill(0xee);
    for (const reserve of [0, 1, 19, 255]) {
      const written = encodeBinary(bytesOf(300), reserve, dirty);
      expect(written.subarray(0, reserve).every((byte) => byte === 0)).toBe(true);
      expect(written.subarray(reserve)).toStrictEqual(new Uint8Array(reference.pack(bytesOf(300))));
      const framed = codec.encodeReserved(bytesOf(300), reserve);
      expect(framed.subarray(0, reserve).every((byte) => byte === 0)).toBe(true);
      expect(new Uint8Array(framed.subarray(reserve))).toStrictEqual(
        new Uint8Array(reference.pack(bytesOf(300))),
      );
    }
  });

  it("decodes a bin body as a view of the input, or as a copy with copyBinary", () => {
    const input = new Uint8Array(codec.encode(Uint8Array.of(4, 5, 6)));
    const view = codec.decode(input) as Uint8Array;
    const copy = createMsgpackCodec({ copyBinary: true }).decode(input) as Uint8Array;
    expect(view.buffer).toBe(input.buffer);
    expect(copy.buffer).not.toBe(input.buffer);
    input.fill(0);
    expect([...view]).toEqual([0, 0, 0]);
    expect([...copy]).toEqual([4, 5, 6]);
  });

  it("leaves a bin with a wrong length to the full decoder and its errors", () => {
    expect(errorOf(() => codec.decode(Uint8Array.of(0xc4, 3, 1, 2)))?.code).toBe("CODEC_TRUNCATED");
    expect(errorOf(() => codec.decode(Uint8Array.of(0xc4, 1, 1, 2)))?.code).toBe(
      "CODEC_TRAILING_BYTES",
    );
    expect(errorOf(() => codec.decode(Uint8Array.of(0xc5, 0)))?.code).toBe("CODEC_TRUNCATED");
    expect(errorOf(() => codec.decode(Uint8Array.of(0xc6, 0, 0, 0, 9, 1)))?.code).toBe(
      "CODEC_TRUNCATED",
    );
  });
});

describe("msgpack codec: encodeParts", () => {
  it("sends a byte string from ZERO_COPY_MIN_BYTES on as [reserve + bin header, the bytes themselves]", () => {
    for (const length of [ZERO_COPY_MIN_BYTES, 65_535, 65_536, 70_000]) {
      const bytes = bytesOf(length);
      const parts = codec.encodeParts!(bytes, 19)!;
      expect(parts).toHaveLength(2);
      expect(parts[1]).toBe(bytes); // not a copy
      const head = parts[0]!;
      expect(head.subarray(0, 19).every((byte) => byte === 0)).toBe(true);
      expect(digest(Buffer.concat([head.subarray(19), bytes]))).toBe(digest(reference.pack(bytes)));
    }
  });

  it("leaves smaller byte strings and every other value to encodeReserved", () => {
    expect(codec.encodeParts!(bytesOf(ZERO_COPY_MIN_BYTES - 1), 4)).toBeUndefined();
    expect(codec.encodeParts!({ data: bytesOf(70_000) }, 4)).toBeUndefined();
    expect(codec.encodeParts!("text", 4)).toBeUndefined();
    expect(() => codec.encodeParts!(bytesOf(70_000), 256)).toThrow(/reserveBytes/);
  });
});

describe("msgpack codec: bytesSize and writeBytes", () => {
  it("writes a byte string below ZERO_COPY_MIN_BYTES exactly as msgpackr packs it, at any offset", () => {
    for (const length of [0, 1, 255, 256, ZERO_COPY_MIN_BYTES - 1]) {
      for (const bytes of [bytesOf(length), Buffer.from(bytesOf(length))]) {
        const size = codec.bytesSize!(bytes);
        expect(size).toBe(reference.pack(bytes).length);
        const out = new Uint8Array(size + 9).fill(0xaa); // memory that held other bytes
        codec.writeBytes!(bytes, out, 7);
        expect(digest(out.subarray(7, 7 + size))).toBe(digest(reference.pack(bytes)));
        expect(out.subarray(0, 7).every((byte) => byte === 0xaa)).toBe(true);
        expect(out.subarray(7 + size).every((byte) => byte === 0xaa)).toBe(true);
      }
    }
  });

  it("sizes nothing else: larger byte strings, subclasses, other views and values give -1", () => {
    class Tagged extends Uint8Array {}
    const others = [
      bytesOf(ZERO_COPY_MIN_BYTES),
      new Tagged(4),
      new Uint16Array(2),
      new DataView(new ArrayBuffer(4)),
      "text",
      { data: bytesOf(4) },
      undefined,
      null,
      7,
    ];
    for (const value of others) expect(codec.bytesSize!(value)).toBe(-1);
  });
});

describe("msgpack codec: decodeFrom(bytes, start) and decodeRange(bytes, start, end)", () => {
  /** `body` with `pre` before it and `post` after it, in one buffer. */
  function framedIn(pre: Uint8Array, body: Uint8Array, post: Uint8Array): Uint8Array {
    const framed = new Uint8Array(pre.length + body.length + post.length);
    framed.set(pre);
    framed.set(body, pre.length);
    framed.set(post, pre.length + body.length);
    return framed;
  }

  it("decodes what decode(bytes.subarray(start, end)) decodes, for every value", () => {
    fc.assert(
      fc.property(
        msgpackValue,
        fc.uint8Array({ maxLength: 12 }),
        fc.uint8Array({ maxLength: 12 }),
        (value, prefix, suffix) => {
          const body = codec.encode(value);
          const framed = framedIn(prefix, body, suffix);
          const end = prefix.length + body.length;
          expect(plainBinary(codec.decodeRange!(framed, prefix.length, end))).toStrictEqual(
            top(msgpackModel)(value),
          );
          if (suffix.length === 0) {
            expect(plainBinary(codec.decodeFrom!(framed, prefix.length))).toStrictEqual(
              top(msgpackModel)(value),
            );
          }
        },
      ),
      runs,
    );
  });

  it("refuses bad bytes with the code and message decode gives, offsets counted from start", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 24 }),
        fc.uint8Array({ maxLength: 8 }),
        fc.uint8Array({ maxLength: 8 }),
        (body, pre, post) => {
          const framed = framedIn(pre, body, post);
          expect(
            errorOf(() => codec.decodeRange!(framed, pre.length, pre.length + body.length)),
          ).toStrictEqual(errorOf(() => codec.decode(body)));
        },
      ),
      { ...runs, numRuns: 1000 },
    );
  });

  it("bounds every length by end, map keys included, whatever follows end", () => {
    // A map whose str8 key claims 5 bytes, cut after 2 of them, with bytes after the cut.
    const framed = Uint8Array.of(0x81, 0xd9, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65, 0x01);
    expect(errorOf(() => codec.decodeRange!(framed, 0, 5))).toStrictEqual(
      errorOf(() => codec.decode(framed.subarray(0, 5))),
    );
  });

  it("gives undefined for an empty body", () => {
    expect(codec.decodeFrom!(Uint8Array.of(1, 2, 3), 3)).toBeUndefined();
    expect(codec.decodeRange!(Uint8Array.of(1, 2, 3), 1, 1)).toBeUndefined();
  });
});

describe("msgpack codec: bytesStart(bytes, start, end)", () => {
  it("says where a bin's content starts, so that a view from there is what decode gives", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70_000 }),
        fc.nat(9),
        fc.nat(9),
        (value, preLength, postLength) => {
          const body = codec.encode(value);
          const framed = new Uint8Array(preLength + body.length + postLength).fill(0xc1);
          framed.set(body, preLength);
          const end = preLength + body.length;
          const content = codec.bytesStart!(framed, preLength, end);
          expect(content).toBeGreaterThanOrEqual(preLength);
          const view = new Uint8Array(framed.buffer, framed.byteOffset + content, end - content);
          expect(view).toStrictEqual(plainBinary(codec.decodeRange!(framed, preLength, end)));
        },
      ),
      { ...runs, numRuns: 200 },
    );
  });

  it("gives -1 for any other value, a bin cut short or running past end, and under copyBinary", () => {
    const bin = codec.encode(new Uint8Array([1, 2, 3]));
    expect(codec.bytesStart!(bin, 0, bin.length - 1)).toBe(-1);
    const longer = Uint8Array.of(...bin, 9);
    expect(codec.bytesStart!(longer, 0, longer.length)).toBe(-1);
    expect(codec.bytesStart!(longer, 0, bin.length)).toBe(2);
    for (const other of ["abc", 7, [1], { a: new Uint8Array(1) }, null]) {
      const bytes = codec.encode(other);
      expect(codec.bytesStart!(bytes, 0, bytes.length)).toBe(-1);
    }
    const copying = createMsgpackCodec({ copyBinary: true });
    expect(copying.bytesStart!(bin, 0, bin.length)).toBe(-1);
  });
});
