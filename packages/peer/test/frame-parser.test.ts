import { type Codec, createMsgpackCodec } from "@parley/codec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameEncoder } from "../src/frame-encoder.js";
import { FrameParser } from "../src/frame-parser.js";
import { Flag, Kind, ResponseStatus } from "../src/wire-constants.js";
import type { Message } from "../src/wire-messages.js";

const codec = createMsgpackCodec();
const encoder = new FrameEncoder(codec);
const parser = new FrameParser(codec);

/** The payload (length prefix cut off) of `message`. */
function payload(message: Message): Uint8Array {
  return encoder.encode(message).subarray(4);
}

function parseError(bytes: Uint8Array): { code?: string; message: string } {
  try {
    parser.parse(bytes);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected parse to throw");
}

const request: Message = {
  kind: Kind.Request,
  id: 9,
  timeoutMs: 100,
  method: "add",
  metadata: undefined,
  body: [1, 2],
};

describe("FrameParser", () => {
  it("rejects a frame shorter than the 6-byte header as PROTOCOL_ERROR", () => {
    expect(parseError(Uint8Array.of(3, 0, 0, 0, 1)).code).toBe("PROTOCOL_ERROR");
  });

  it("rejects an unknown kind as PROTOCOL_ERROR and names it", () => {
    const e = parseError(Uint8Array.of(0x0e, 0, 0, 0, 0, 1));
    expect(e.code).toBe("PROTOCOL_ERROR");
    expect(e.message).toContain("0x0e");
  });

  it("rejects the reserved MORE flag and other reserved bits", () => {
    for (const flag of [Flag.More, 0x04, 0x80]) {
      const bytes = Uint8Array.from(payload(request));
      bytes[1] = flag;
      expect(parseError(bytes).code).toBe("PROTOCOL_ERROR");
    }
  });

  it("rejects a Request whose method name runs past the frame end", () => {
    const bytes = payload(request).subarray(0, 12);
    const e = parseError(bytes);
    expect(e.code).toBe("PROTOCOL_ERROR");
    expect(e.message).toContain("truncated");
  });

  it("rejects a Hello without the PRLY magic", () => {
    const bytes = Uint8Array.of(Kind.Hello, 0, 0, 0, 0, 0, 0x47, 0x45, 0x54, 0x20);
    const e = parseError(bytes);
    expect(e.code).toBe("PROTOCOL_ERROR");
    expect(e.message).toContain("PRLY");
  });

  it("rejects a method name that is not valid UTF-8", () => {
    const bytes = Uint8Array.of(Kind.Request, 0, 0, 0, 0, 1, 0, 0, 0, 10, 2, 0xc3, 0x28);
    expect(parseError(bytes).code).toBe("PROTOCOL_ERROR");
  });

  it("rejects an unknown Response status and a Response carrying metadata", () => {
    expect(parseError(Uint8Array.of(Kind.Response, 0, 0, 0, 0, 1, 7)).code).toBe("PROTOCOL_ERROR");
    const flagged = Uint8Array.of(Kind.Response, Flag.Metadata, 0, 0, 0, 1, 0, 0);
    expect(parseError(flagged).code).toBe("PROTOCOL_ERROR");
  });

  it("rejects the METADATA flag on kinds that carry no metadata", () => {
    for (const kind of [Kind.Cancel, Kind.Ping, Kind.Bye, Kind.ByeAck, Kind.HelloAck]) {
      const e = parseError(Uint8Array.of(kind, Flag.Metadata, 0, 0, 0, 1, 0, 0));
      expect(e.code).toBe("PROTOCOL_ERROR");
      expect(e.message).toContain("carry no metadata");
    }
  });

  it("rejects an unknown HelloAck status", () => {
    expect(parseError(Uint8Array.of(Kind.HelloAck, 0, 0, 0, 0, 0, 9)).code).toBe("PROTOCOL_ERROR");
  });

  it("reports an undecodable body on the message instead of throwing", () => {
    const bytes = Uint8Array.of(...payload({ ...request, body: undefined } as Message), 0xc1);
    const m = parser.parse(bytes);
    expect(m.kind).toBe(Kind.Request);
    expect((m as { bodyError?: { code: string } }).bodyError?.code).toMatch(/^CODEC_/);
  });

  it("reads an empty body as undefined", () => {
    const m = parser.parse(payload({ kind: Kind.Response, id: 3, status: 0, body: undefined }));
    expect(m).toMatchObject({ kind: Kind.Response, id: 3, body: undefined });
  });

  it("ignores bytes after the known fields of control frames and Hello (room for minor versions)", () => {
    const ping = Uint8Array.of(...payload({ kind: Kind.Ping, id: 4 }), 0xaa, 0xbb);
    expect(parser.parse(ping)).toEqual({ kind: Kind.Ping, id: 4 });
    const ack = Uint8Array.of(...payload({ kind: Kind.HelloAck, accepted: true }), 1, 2, 3);
    expect(parser.parse(ack)).toEqual({ kind: Kind.HelloAck, accepted: true });
  });

  it("keeps a metadata key named __proto__ as a plain key", () => {
    const m = parser.parse(
      payload({ ...request, metadata: { ["__proto__"]: "x", a: "b" } } as Message),
    );
    const metadata = (m as { metadata: Record<string, string> }).metadata;
    expect(Object.getPrototypeOf(metadata)).toBe(null);
    expect(Object.keys(metadata).sort()).toEqual(["__proto__", "a"]);
  });

  it("rejects an empty metadata key (keys are 1 to 255 bytes)", () => {
    const whole = payload({ ...request, metadata: { k: "v" } } as Message);
    // count 1, key "k" (str8), value "v" (str16): drop the key's byte and make its length 0.
    const block = [1, 1, 0x6b, 0, 1, 0x76];
    const at = whole.findIndex((_, i) => block.every((b, j) => whole[i + j] === b));
    expect(at).toBeGreaterThan(0);
    const bytes = Uint8Array.of(...whole.subarray(0, at + 1), 0, ...whole.subarray(at + 3));
    const e = parseError(bytes);
    expect(e.code).toBe("PROTOCOL_ERROR");
    expect(e.message).toContain("empty metadata key");
  });

  it("round-trips any message through encode and parse", () => {
    fc.assert(
      fc.property(arbitraryMessage(), (m) => {
        expect(parser.parse(payload(m))).toEqual(m);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });

  it("reads a frame in place inside a larger chunk (parseSpan) as parse reads it alone", () => {
    const message = arbitraryMessage(fc.oneof(body, fc.uint8Array({ maxLength: 300 })));
    fc.assert(
      fc.property(message, fc.uint8Array({ maxLength: 9 }), fc.nat(9), (m, before, after) => {
        const alone = payload(m);
        const chunk = new Uint8Array(before.length + alone.length + after).fill(0xc1);
        chunk.set(before);
        chunk.set(alone, before.length);
        const span = {
          bytes: chunk,
          buffer: chunk.buffer,
          byteOffset: chunk.byteOffset,
          start: before.length,
          end: before.length + alone.length,
        };
        const read = parser.parseSpan(span);
        expect(read).toEqual(parser.parse(alone));
        const body = (read as { body?: unknown }).body;
        // A byte-string body is a view of the chunk itself, not a copy.
        if (body instanceof Uint8Array && body.length > 0) expect(body.buffer).toBe(chunk.buffer);
      }),
      { seed: 4243, numRuns: 300 },
    );
  });

  it("gives a codec with decodeFrom alone only bodies that end where the bytes it gets do", () => {
    const calls: string[] = [];
    const inner = createMsgpackCodec();
    // Written for decodeFrom's contract: it decodes from start to the end of bytes.
    const fromOnly: Codec = {
      name: inner.name,
      encode: (value) => inner.encode(value),
      encodeReserved: (value, reserve) => inner.encodeReserved(value, reserve),
      decode: (bytes) => {
        calls.push("decode");
        return inner.decode(bytes);
      },
      decodeFrom: (bytes, start) => {
        calls.push("decodeFrom");
        return inner.decode(bytes.subarray(start));
      },
    };
    const fromOnlyParser = new FrameParser(fromOnly);
    const alone = payload(request);
    const chunk = Uint8Array.of(...alone, ...alone);
    const span = { bytes: chunk, buffer: chunk.buffer, byteOffset: 0 };
    const first = fromOnlyParser.parseSpan({ ...span, start: 0, end: alone.length });
    const second = fromOnlyParser.parseSpan({ ...span, start: alone.length, end: chunk.length });
    expect(first).toEqual(parser.parse(alone));
    expect(second).toEqual(parser.parse(alone));
    expect(calls).toEqual(["decode", "decodeFrom"]);
  });

  it("counts a truncated field's offsets from the frame's start when it is read in place", () => {
    const alone = payload(request).subarray(0, 12); // the method name runs past the end
    const chunk = Uint8Array.of(7, 7, 7, ...alone, 7, 7);
    const span = { bytes: chunk, buffer: chunk.buffer, byteOffset: 0, start: 3, end: 3 + 12 };
    expect(() => parser.parseSpan(span)).toThrow(parseError(alone).message);
  });
});

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const name = fc.string({ minLength: 1, maxLength: 40 });
const metadata = fc.option(fc.dictionary(name, fc.string({ maxLength: 30 }), { maxKeys: 4 }), {
  nil: undefined,
});
const body = fc.oneof(fc.constant(undefined), fc.integer(), fc.string(), fc.array(fc.integer()));
const contract = fc.option(
  fc.record({
    name,
    version: fc.string({ maxLength: 5 }),
    fingerprint: fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength: 16 }),
  }),
  { nil: undefined },
);

/** Any message; `bodies` gives the bodies of Requests, Responses and Signals. */
function arbitraryMessage(bodies: fc.Arbitrary<unknown> = body): fc.Arbitrary<Message> {
  return fc.oneof(
    fc.record({
      kind: fc.constant(Kind.Request),
      id: u32,
      timeoutMs: u32,
      method: name,
      metadata,
      body: bodies,
    }),
    fc.record({
      kind: fc.constant(Kind.Response),
      id: u32,
      status: fc.constantFrom(...Object.values(ResponseStatus)),
      body: bodies,
    }),
    fc.record({ kind: fc.constant(Kind.Signal), name, metadata, body: bodies }),
    fc.record({ kind: fc.constantFrom(Kind.Cancel, Kind.Ping, Kind.Pong), id: u32 }),
    fc.record({ kind: fc.constant(Kind.Bye), lastAcceptedId: u32 }),
    fc.record({ kind: fc.constant(Kind.ByeAck) }),
    fc.record({ kind: fc.constant(Kind.HelloAck), accepted: fc.constant(true as const) }),
    fc.record({
      kind: fc.constant(Kind.HelloAck),
      accepted: fc.constant(false as const),
      code: name,
      message: fc.string(),
    }),
    fc.record({
      kind: fc.constant(Kind.Hello),
      major: fc.integer({ min: 0, max: 255 }),
      minor: fc.integer({ min: 0, max: 255 }),
      codec: name,
      serves: contract,
      calls: contract,
      maxFrameBytes: u32,
      maxConcurrentRequests: u32,
      heartbeatIntervalMs: u32,
      heartbeatTimeoutMs: u32,
      authToken: fc.option(name, { nil: undefined }),
      metadata,
    }),
  ) as fc.Arbitrary<Message>;
}
