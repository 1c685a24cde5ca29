import { createMsgpackCodec } from "@parley/codec";
import { describe, expect, it } from "vitest";
import { encodeMetadata, FrameEncoder } from "../src/frame-encoder.js";
import { FrameParser } from "../src/frame-parser.js";
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
