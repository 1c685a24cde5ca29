import { type Codec, createMsgpackCodec } from "@parley/codec";
import { describe, expect, it } from "vitest";
import { FrameEncoder } from "../src/frame-encoder.js";
import { FrameParser } from "../src/frame-parser.js";
import { encodeMetadata } from "../src/metadata-block.js";
import { SplitFrame } from "../src/split-frame.js";
import { Kind } from "../src/wire-constants.js";
import type { Message } from "../src/wire-messages.js";

const codec = createMsgpackCodec();
const encoder = new FrameEncoder(codec);
const parser = new FrameParser(codec);

function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected a throw");
}

const request = (method: string, metadata?: Record<string, string>): Message => ({
  kind: Kind.Request,
  id: 1,
  timeoutMs: 5,
  method,
  metadata,
  body: { x: 1 },
});

describe("FrameEncoder", () => {
  it("sends a large byte-string body as the caller's own bytes behind the frame's head", () => {
    const body = new Uint8Array(70_000).fill(7);
    for (const message of [
      { kind: Kind.Request, id: 3, timeoutMs: 9, method: "put", metadata: { k: "v" }, body },
      { kind: Kind.Response, id: 3, status: 0, body },
      { kind: Kind.Signal, name: "chunk", metadata: undefined, body },
    ] as Message[]) {
      const frame = encoder.encodeFrame(message);
      expect(frame).toBeInstanceOf(SplitFrame);
      const split = frame as SplitFrame;
      expect(split.body).toBe(body);
      // Joined, it is exactly the one-buffer frame, and parses back to the message.
      const whole = encoder.encode(message);
      expect(whole).not.toBeInstanceOf(SplitFrame);
      expect(Buffer.from(split.joined()).equals(Buffer.from(whole))).toBe(true);
      expect(new DataView(whole.buffer, whole.byteOffset).getUint32(0)).toBe(whole.length - 4);
      const parsed = parser.parse(whole.subarray(4)) as { body: Uint8Array };
      expect(parsed.body.length).toBe(70_000);
    }
  });

  it("lays a copied byte-string body straight behind the head, byte for byte as the general path (stream items into given memory that held other bytes)", () => {
    const wrap = (extra: Partial<Codec>): Codec => ({
      name: codec.name,
      encode: (value) => codec.encode(value),
      encodeReserved: (value, reserve) => codec.encodeReserved(value, reserve),
      encodeParts: (value, reserve) => codec.encodeParts!(value, reserve),
      decode: (bytes) => codec.decode(bytes),
      ...extra,
    });
    let written = 0; // bodies the fast path laid out
    const fastPath = new FrameEncoder(
      wrap({
        bytesSize: (value) => codec.bytesSize!(value),
        writeBytes: (bytes, out, at) => {
          written++;
          codec.writeBytes!(bytes, out, at);
        },
      }),
    );
    const general = new FrameEncoder(wrap({})); // every body through encodeReserved
    const half = new FrameEncoder(wrap({ bytesSize: () => 0 })); // one method alone: not used
    const dirty = (n: number): Uint8Array => new Uint8Array(n).fill(0xaa);
    const long = "m".repeat(250); // a head past what encodeReserved can reserve
    for (const length of [0, 1, 255, 256, 4_095]) {
      const body = new Uint8Array(length).map((_, i) => i * 13);
      const meta = { k: "v".repeat(40) };
      for (const message of [
        { kind: Kind.Request, id: 3, timeoutMs: 9, method: "put", metadata: { k: "v" }, body },
        { kind: Kind.Request, id: 3, timeoutMs: 9, method: long, metadata: meta, body },
        { kind: Kind.Response, id: 3, status: 0, body, more: true },
        { kind: Kind.Signal, name: "chunk", metadata: undefined, body },
        { kind: Kind.Data, id: 5, body, more: true },
      ] as Message[]) {
        const before = written;
        // Responses and Data go into `dirty` (a stream's item memory), the others into a slab.
        const fast = fastPath.encodeFrame(message, dirty) as Uint8Array;
        expect(written).toBe(before + 1);
        const expected = general.encode(message);
        expect(Buffer.from(fast).equals(Buffer.from(expected))).toBe(true);
        expect(Buffer.from(encoder.encode(message)).equals(Buffer.from(expected))).toBe(true);
        expect(Buffer.from(half.encode(message)).equals(Buffer.from(expected))).toBe(true);
      }
    }
    // From ZERO_COPY_MIN_BYTES on, the body goes as the caller's own bytes, not laid out.
    const large = new Uint8Array(4_096);
    const frame = fastPath.encodeFrame({ kind: Kind.Response, id: 1, status: 0, body: large });
    expect(frame).toBeInstanceOf(SplitFrame);
    expect((frame as SplitFrame).body).toBe(large);
  });

  it("keeps small byte strings and other bodies in one buffer", () => {
    for (const body of [new Uint8Array(100), { x: 1 }, "text"]) {
      const frame = encoder.encodeFrame({ kind: Kind.Response, id: 1, status: 0, body });
      expect(frame).toBeInstanceOf(Uint8Array);
    }
  });

  it("writes a length prefix equal to the payload size", () => {
    const frame = encoder.encode(request("add"));
    expect(new DataView(frame.buffer, frame.byteOffset).getUint32(0)).toBe(frame.length - 4);
  });

  it("encodes an undefined body as no bytes at all", () => {
    const frame = encoder.encode({ kind: Kind.Response, id: 2, status: 0, body: undefined });
    expect(frame.length).toBe(4 + 6 + 1);
  });

  it("refuses an empty method name and one over 255 bytes with INVALID_OPTION", () => {
    expect(thrown(() => encoder.encode(request(""))).code).toBe("INVALID_OPTION");
    const e = thrown(() => encoder.encode(request("é".repeat(128))));
    expect(e.code).toBe("INVALID_OPTION");
    expect(e.message).toContain("method name");
  });

  it("still produces one correct frame when the header needs more room than the codec reserves", () => {
    const metadata = { trace: "t".repeat(300) };
    const m = request("m".repeat(200), metadata);
    const frame = encoder.encode(m);
    expect(parser.parse(frame.subarray(4))).toEqual(m);
  });

  it("refuses metadata with too many entries, an empty key, or a non-string value", () => {
    const many = Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`k${i}`, "v"]));
    expect(thrown(() => encodeMetadata(many)).code).toBe("INVALID_OPTION");
    expect(thrown(() => encodeMetadata({ "": "v" })).code).toBe("INVALID_OPTION");
    const e = thrown(() => encodeMetadata({ n: 5 } as unknown as Record<string, string>));
    expect(e.code).toBe("INVALID_OPTION");
    expect(e.message).toContain("metadata");
  });

  it("passes through the codec's error for a body it cannot encode", () => {
    const e = thrown(() => encoder.encode({ ...request("add"), body: { f: () => 1 } } as Message));
    expect(e.code).toMatch(/^CODEC_/);
  });
});
