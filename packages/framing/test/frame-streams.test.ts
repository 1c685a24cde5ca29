import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  createFrameDecoderStream,
  createFrameEncoderStream,
  DelimiterDecoder,
  LengthFieldDecoder,
} from "@parley/framing";
import { describe, expect, it } from "vitest";
import { concat, frame, text, utf8 } from "./support.js";

/** Collects every object a readable emits. */
function sink(into: unknown[]): Writable {
  return new Writable({
    objectMode: true,
    write(chunk, _encoding, callback) {
      into.push(chunk);
      callback();
    },
  });
}

const payloads = [utf8("first"), utf8(""), new Uint8Array(3000).fill(9), utf8("last")];
const wire = concat(...payloads.map(frame));
const chunksOf = (bytes: Uint8Array, size: number) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
    Buffer.from(bytes.subarray(i * size, (i + 1) * size)),
  );

describe("createFrameDecoderStream", () => {
  it("turns written chunks into one readable object per frame", async () => {
    const frames: Uint8Array[] = [];
    await pipeline(Readable.from(chunksOf(wire, 7)), createFrameDecoderStream(), sink(frames));
    expect(frames.map((f) => Uint8Array.from(f))).toEqual(payloads);
  });

  it("fails the pipeline with FRAME_TRUNCATED when the input ends inside a frame", async () => {
    const cutShort = Readable.from([Buffer.from(wire.subarray(0, wire.length - 2))]);
    await expect(pipeline(cutShort, createFrameDecoderStream(), sink([]))).rejects.toMatchObject({
      code: "FRAME_TRUNCATED",
      expectedBytes: 8,
      receivedBytes: 6,
    });
  });

  it("fails the pipeline with FRAME_TOO_LARGE under a small maxFrameBytes", async () => {
    const source = Readable.from([Buffer.from(wire)]);
    await expect(
      pipeline(source, createFrameDecoderStream({ maxFrameBytes: 100 }), sink([])),
    ).rejects.toMatchObject({ code: "FRAME_TOO_LARGE", declaredBytes: 3000, maxFrameBytes: 100 });
  });

  it("runs any decoder it is given, including its end-of-stream frame", async () => {
    const lines: string[] = [];
    const decoder = new DelimiterDecoder({ unterminatedLastLine: "emit" });
    await pipeline(
      Readable.from([Buffer.from("a\nb"), Buffer.from("c\nd")]),
      createFrameDecoderStream({ decoder }),
      sink(lines),
    );
    expect(lines.map((l) => text(l as unknown as Uint8Array))).toEqual(["a", "bc", "d"]);
  });

  it("refuses a decoder together with length-field options", () => {
    expect(() =>
      createFrameDecoderStream({ decoder: new LengthFieldDecoder(), maxFrameBytes: 10 }),
    ).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
  });
});

describe("createFrameEncoderStream", () => {
  it("round-trips payloads through the encoder stream and the decoder stream", async () => {
    const frames: Uint8Array[] = [];
    await pipeline(
      Readable.from(payloads, { objectMode: true }),
      createFrameEncoderStream(),
      createFrameDecoderStream(),
      sink(frames),
    );
    expect(frames.map((f) => Uint8Array.from(f))).toEqual(payloads);
  });

  it("writes the header, then the payload object untouched", async () => {
    const out: Uint8Array[] = [];
    const payload = utf8("zero copy");
    const encoder = createFrameEncoderStream({ lengthFieldLength: 2 });
    await pipeline(Readable.from([payload], { objectMode: true }), encoder, sink(out));
    expect(out).toHaveLength(2);
    expect(Uint8Array.from(out[0]!)).toEqual(Uint8Array.of(0, payload.length));
    expect(out[1]!.buffer).toBe(payload.buffer);
  });

  it("sends strings as UTF-8", async () => {
    const out: Uint8Array[] = [];
    await pipeline(
      Readable.from(["héllo"], { objectMode: true }),
      createFrameEncoderStream(),
      sink(out),
    );
    expect(Uint8Array.from(Buffer.concat(out))).toEqual(frame(utf8("héllo")));
  });

  it("fails with FRAME_TOO_LARGE on an oversize payload", async () => {
    const source = Readable.from([new Uint8Array(11)], { objectMode: true });
    await expect(
      pipeline(source, createFrameEncoderStream({ maxFrameBytes: 10 }), sink([])),
    ).rejects.toMatchObject({ code: "FRAME_TOO_LARGE", declaredBytes: 11 });
  });

  it("fails with INVALID_OPTION on a payload that is not bytes", async () => {
    const source = Readable.from([{ not: "bytes" }], { objectMode: true });
    await expect(pipeline(source, createFrameEncoderStream(), sink([]))).rejects.toMatchObject({
      code: "INVALID_OPTION",
    });
  });
});
