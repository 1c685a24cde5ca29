import { Readable } from "node:stream";
import { DelimiterDecoder, decodeFrames } from "@parley/framing";
import { describe, expect, it } from "vitest";
import { concat, frame, text, utf8 } from "./support.js";

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of source) out.push(Uint8Array.from(f));
  return out;
}

describe("decodeFrames", () => {
  const payloads = [utf8("one"), utf8(""), utf8("three")];
  const wire = concat(...payloads.map(frame));

  it("yields the frames of an async iterable of chunks, in order", async () => {
    const parts = Array.from(wire, (b) => Uint8Array.of(b));
    expect(await collect(decodeFrames(chunks(...parts)))).toEqual(payloads);
  });

  it("reads a Node Readable directly", async () => {
    expect(await collect(decodeFrames(Readable.from([Buffer.from(wire)])))).toEqual(payloads);
  });

  it("rejects with FRAME_TRUNCATED after the last whole frame when the source ends mid-frame", async () => {
    const seen: string[] = [];
    const run = async () => {
      for await (const f of decodeFrames(chunks(wire.subarray(0, wire.length - 1))))
        seen.push(text(f));
    };
    await expect(run()).rejects.toMatchObject({ code: "FRAME_TRUNCATED" });
    expect(seen).toEqual(["one", ""]);
  });

  it("applies length-field options such as maxFrameBytes", async () => {
    await expect(collect(decodeFrames(chunks(wire), { maxFrameBytes: 4 }))).rejects.toMatchObject({
      code: "FRAME_TOO_LARGE",
      declaredBytes: 5,
    });
  });

  it("uses a given decoder and yields what it emits at end of stream", async () => {
    const decoder = new DelimiterDecoder({ unterminatedLastLine: "emit" });
    const lines = await collect(decodeFrames(chunks(utf8("x\ny")), { decoder }));
    expect(lines.map(text)).toEqual(["x", "y"]);
  });

  it("stops reading the source when the consumer stops early", async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled++;
        yield frame(utf8("again"));
      }
    }
    for await (const f of decodeFrames(endless())) {
      expect(text(f)).toBe("again");
      if (pulled >= 3) break;
    }
    expect(pulled).toBe(3);
  });
});
