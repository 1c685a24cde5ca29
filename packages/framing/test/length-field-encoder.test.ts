import { LengthFieldDecoder, LengthFieldEncoder } from "@parley/framing";
import { describe, expect, it } from "vitest";
import { concat, frame, lengthBytes, thrown, utf8 } from "./support.js";

const hello = utf8("hello, world");
const bytesOf = (b: Uint8Array) => Uint8Array.from(b);

describe("LengthFieldEncoder", () => {
  it("writes a 4-byte big-endian payload length by default", () => {
    const encoder = new LengthFieldEncoder();
    expect(encoder.headerBytes).toBe(4);
    expect(bytesOf(encoder.encode(hello))).toEqual(frame(hello));
    expect(bytesOf(encoder.header(0x00030201))).toEqual(Uint8Array.of(0, 3, 2, 1));
  });

  it("returns the payload itself, uncopied, next to a fresh header for vectored writes", () => {
    const encoder = new LengthFieldEncoder();
    const [header, payload] = encoder.encodeVectored(hello);
    expect(payload).toBe(hello);
    expect(bytesOf(header)).toEqual(lengthBytes(hello.length, 4));
    const [second] = encoder.encodeVectored(hello);
    expect(second).not.toBe(header); // each call owns its header: safe to queue several
  });

  it("writes the header into room the caller reserved and reports its size", () => {
    const encoder = new LengthFieldEncoder({ lengthFieldLength: 2, byteOrder: "little" });
    const out = new Uint8Array(10).fill(0xee);
    expect(encoder.writeHeader(out, 3, 0x0102)).toBe(2);
    expect(out).toEqual(Uint8Array.of(0xee, 0xee, 0xee, 0x02, 0x01, 0xee, 0xee, 0xee, 0xee, 0xee));
  });

  it("refuses to write a header past the end of the target", () => {
    const encoder = new LengthFieldEncoder();
    for (const offset of [-1, 7, 1.5]) {
      const error = thrown(() => encoder.writeHeader(new Uint8Array(10), offset, 1));
      expect(error.code, String(offset)).toBe("INVALID_OPTION");
    }
  });

  it("packs a batch of payloads into one buffer of consecutive frames", () => {
    const payloads = [utf8("a"), utf8(""), hello];
    const batch = new LengthFieldEncoder().encodeBatch(payloads);
    expect(bytesOf(batch)).toEqual(concat(...payloads.map(frame)));
    expect(new LengthFieldDecoder().decode(batch)).toEqual(payloads);
    expect(new LengthFieldEncoder().encodeBatch([]).length).toBe(0);
  });

  it("encodes a zero-length payload as a bare header", () => {
    expect(bytesOf(new LengthFieldEncoder().encode(new Uint8Array(0)))).toEqual(
      Uint8Array.of(0, 0, 0, 0),
    );
  });

  it("writes 8-byte lengths above 2^32 exactly in both byte orders", () => {
    const value = 2 ** 40 + 3;
    for (const byteOrder of ["big", "little"] as const) {
      const encoder = new LengthFieldEncoder({
        lengthFieldLength: 8,
        byteOrder,
        maxFrameBytes: 2 ** 41,
      });
      expect(bytesOf(encoder.header(value))).toEqual(lengthBytes(value, 8, byteOrder === "little"));
    }
  });

  it("writes 4-byte lengths at and above 2^31 without a sign flip", () => {
    const encoder = new LengthFieldEncoder({ maxFrameBytes: 2 ** 32 - 1 });
    expect(bytesOf(encoder.header(2 ** 32 - 1))).toEqual(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    expect(bytesOf(encoder.header(2 ** 31))).toEqual(Uint8Array.of(0x80, 0, 0, 0));
  });
});

describe("LengthFieldEncoder limits", () => {
  it("refuses a payload larger than maxFrameBytes, naming the option", () => {
    const encoder = new LengthFieldEncoder({ maxFrameBytes: 8 });
    expect(encoder.encode(new Uint8Array(8)).length).toBe(12);
    for (const attempt of [
      () => encoder.encode(new Uint8Array(9)),
      () => encoder.encodeVectored(new Uint8Array(9)),
      () => encoder.header(9),
      () => encoder.writeHeader(new Uint8Array(4), 0, 9),
    ]) {
      const error = thrown(attempt);
      expect(error).toMatchObject({ code: "FRAME_TOO_LARGE", declaredBytes: 9, maxFrameBytes: 8 });
      expect(error.message).toBe(
        "payload has 9 bytes, more than maxFrameBytes (8); raise maxFrameBytes on both peers or send smaller messages",
      );
    }
  });

  it("checks every payload of a batch before packing any", () => {
    const encoder = new LengthFieldEncoder({ maxFrameBytes: 4 });
    const error = thrown(() => encoder.encodeBatch([utf8("ok"), utf8("too long"), utf8("ok")]));
    expect(error).toMatchObject({ code: "FRAME_TOO_LARGE", declaredBytes: 8 });
  });

  it("refuses a length the field is too narrow to hold", () => {
    const encoder = new LengthFieldEncoder({ lengthFieldLength: 1 });
    expect(bytesOf(encoder.header(255))).toEqual(Uint8Array.of(255));
    const error = thrown(() => encoder.encode(new Uint8Array(256)));
    expect(error).toMatchObject({ code: "FRAME_LENGTH_INVALID", lengthFieldValue: 256 });
    expect(error.message).toContain("lengthFieldLength 1");
  });

  it("refuses a payload shorter than a positive lengthAdjustment", () => {
    const encoder = new LengthFieldEncoder({ lengthAdjustment: 2 });
    expect(bytesOf(encoder.encode(utf8("ab")))).toEqual(concat(lengthBytes(0, 4), utf8("ab")));
    expect(thrown(() => encoder.encode(utf8("a")))).toMatchObject({
      code: "FRAME_LENGTH_INVALID",
      lengthFieldValue: -1,
    });
  });

  it("rejects a non-zero lengthFieldOffset: it cannot invent the bytes before the length", () => {
    const error = thrown(() => new LengthFieldEncoder({ lengthFieldOffset: 2 }));
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.message).toContain("lengthFieldOffset must be 0");
  });

  it("rejects a payload length that is not a non-negative integer", () => {
    for (const n of [-1, 1.5, Number.NaN]) {
      expect(thrown(() => new LengthFieldEncoder().header(n)).code, String(n)).toBe(
        "INVALID_OPTION",
      );
    }
  });
});
