/**
 * The stream frames of protocol 1.1 (docs/protocol.md §12) in the frame layer: what the parser
 * accepts once streams are agreed and refuses before, and that every new frame kind decodes the
 * same whatever the chunking. The byte layouts themselves are pinned by protocol-doc.test.ts.
 */
import { createMsgpackCodec } from "@parley/codec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_STREAM_WINDOW_BYTES, DEFAULT_STREAM_WINDOW_ITEMS } from "../src/credit-window.js";
import { FrameEncoder } from "../src/frame-encoder.js";
import { FrameParser } from "../src/frame-parser.js";
import { CreditStream, Flag, Kind, ResponseStatus } from "../src/wire-constants.js";
import { createBinaryWireFormat } from "../src/wire-format.js";
import type { HelloMessage, Message } from "../src/wire-messages.js";
import { codeOf } from "./support/async.js";
import { peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";

const codec = createMsgpackCodec();
const encoder = new FrameEncoder(codec);

function streamParser(): FrameParser {
  const parser = new FrameParser(codec);
  parser.enableStreams();
  return parser;
}

/** The payload (length prefix cut off) of `message`. */
function payload(message: Message): Uint8Array {
  return Uint8Array.from(encoder.encode(message).subarray(4));
}

function parseError(parser: FrameParser, bytes: Uint8Array): { code?: string; message: string } {
  try {
    parser.parse(bytes);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected parse to throw");
}

const item: Message = {
  kind: Kind.Response,
  id: 3,
  status: ResponseStatus.Ok,
  body: "x",
  more: true,
};
const data: Message = { kind: Kind.Data, id: 3, more: true, body: { n: 1 } };
const end: Message = { kind: Kind.Data, id: 3, more: false, body: undefined };
const credit: Message = {
  kind: Kind.Credit,
  id: 3,
  stream: CreditStream.Inputs,
  items: 0xffff_ffff,
  bytes: 1,
};
const opening: Message = {
  kind: Kind.Request,
  id: 3,
  timeoutMs: 0,
  method: "chat",
  metadata: { t: "1" },
  body: undefined,
  more: true,
};

const hello11: HelloMessage = {
  kind: Kind.Hello,
  major: 1,
  minor: 1,
  codec: "msgpack",
  serves: undefined,
  calls: undefined,
  maxFrameBytes: 65_536,
  maxConcurrentRequests: 8,
  heartbeatIntervalMs: 0,
  heartbeatTimeoutMs: 0,
  authToken: undefined,
  metadata: { a: "b" },
};

describe("stream frames", () => {
  it("are refused until streams are enabled, naming protocol 1.1", () => {
    const parser = new FrameParser(codec);
    expect(parser.streams).toBe(false);
    for (const m of [item, data, end, credit, opening]) {
      const e = parseError(parser, payload(m));
      expect(e.code).toBe("PROTOCOL_ERROR");
      expect(e.message).toContain("protocol 1.1");
    }
    parser.enableStreams();
    expect(parser.streams).toBe(true);
    for (const m of [item, data, end, credit, opening]) expect(parser.parse(payload(m))).toEqual(m);
  });

  it("reads a Request or Response without MORE as before: no stream, more undefined", () => {
    const parser = streamParser();
    const final = { kind: Kind.Response, id: 3, status: ResponseStatus.Ok, body: 1 } as const;
    const parsed = parser.parse(payload(final));
    expect(parsed).toEqual(final);
    expect((parsed as { more?: boolean }).more).toBeUndefined();
  });

  it("refuses MORE on kinds that never continue", () => {
    const parser = streamParser();
    const frames: Message[] = [
      { kind: Kind.Signal, name: "s", metadata: undefined, body: 1 },
      { kind: Kind.Cancel, id: 3 },
      { kind: Kind.Ping, id: 3 },
      { kind: Kind.Bye, lastAcceptedId: 3 },
      credit,
    ];
    for (const m of frames) {
      const bytes = payload(m);
      bytes[1] = bytes[1]! | Flag.More;
      const e = parseError(parser, bytes);
      expect(e.code).toBe("PROTOCOL_ERROR");
      expect(e.message).toContain("never set MORE");
    }
  });

  it("refuses MORE on an ERROR or REJECTED Response: an item is always OK", () => {
    const parser = streamParser();
    for (const status of [ResponseStatus.Error, ResponseStatus.Rejected]) {
      const bytes = payload({
        kind: Kind.Response,
        id: 3,
        status,
        body: { code: "X" },
        more: true,
      });
      const e = parseError(parser, bytes);
      expect(e.code).toBe("PROTOCOL_ERROR");
      expect(e.message).toContain("MORE");
    }
  });

  it("refuses an end of input that carries a body, on both ends", () => {
    const bytes = payload(data);
    bytes[1] = 0;
    const e = parseError(streamParser(), bytes);
    expect(e.code).toBe("PROTOCOL_ERROR");
    expect(e.message).toContain("ends the input");
    let caught: { code?: string } | undefined;
    try {
      encoder.encode({ kind: Kind.Data, id: 3, more: false, body: 1 });
    } catch (error) {
      caught = error as { code?: string };
    }
    expect(caught?.code).toBe("INVALID_OPTION");
  });

  it("reads an empty Data item (MORE set) as an undefined item, not an end", () => {
    expect(streamParser().parse(payload({ ...end, more: true }))).toEqual({ ...end, more: true });
  });

  it("refuses a Credit naming an unknown stream, a truncated one, and METADATA on Credit or Data", () => {
    const parser = streamParser();
    const unknown = payload(credit);
    unknown[6] = 2;
    expect(parseError(parser, unknown).message).toContain("unknown stream 0x02");
    const truncated = parseError(parser, payload(credit).subarray(0, 14));
    expect(truncated.code).toBe("PROTOCOL_ERROR");
    expect(truncated.message).toContain("truncated");
    for (const m of [credit, data]) {
      const bytes = payload(m);
      bytes[1] = bytes[1]! | Flag.Metadata;
      expect(parseError(parser, bytes).code).toBe("PROTOCOL_ERROR");
    }
  });

  it("ignores bytes after a Credit's fields (room for later minors)", () => {
    const bytes = Uint8Array.from([...payload(credit), 0xaa, 0xbb]);
    expect(streamParser().parse(bytes)).toEqual(credit);
  });

  it("reads a 1.1 Hello's stream windows after its members block; a Hello that ends before them has none", () => {
    const parser = new FrameParser(codec);
    const windowed = { ...hello11, streamWindow: { items: 3, bytes: 70_000 } };
    expect(parser.parse(payload(windowed))).toEqual(windowed);
    expect((parser.parse(payload(hello11)) as HelloMessage).streamWindow).toBeUndefined();
  });

  it("refuses a 1.1 Hello with a zero window or with only part of the windows (PROTOCOL_ERROR)", () => {
    const parser = new FrameParser(codec);
    for (const streamWindow of [
      { items: 0, bytes: 10 },
      { items: 10, bytes: 0 },
    ]) {
      const e = parseError(parser, payload({ ...hello11, streamWindow }));
      expect(e.code).toBe("PROTOCOL_ERROR");
      expect(e.message).toContain("zero stream window");
    }
    const cut = payload({ ...hello11, streamWindow: { items: 1, bytes: 1 } });
    const e = parseError(parser, cut.subarray(0, cut.length - 4));
    expect(e.code).toBe("PROTOCOL_ERROR");
    expect(e.message).toContain("truncated");
  });

  it("leaves the windows of a Hello that says 1.0 unread, as a 1.0 receiver does", () => {
    const bytes = payload({ ...hello11, streamWindow: { items: 0, bytes: 0 } });
    bytes[11] = 0; // the minor version byte
    const parsed = new FrameParser(codec).parse(bytes) as HelloMessage;
    expect(parsed.minor).toBe(0);
    expect(parsed.streamWindow).toBeUndefined();
  });

  it("round-trips any stream frame through encode and parse", () => {
    const parser = streamParser();
    fc.assert(
      fc.property(arbitraryStreamMessage(), (m) => {
        expect(parser.parse(payload(m))).toEqual(m);
      }),
      { seed: 1511, numRuns: 300 },
    );
  });

  it("decodes every new frame kind the same at every split point, with its payload size", () => {
    const frames = [opening, data, item, credit, end];
    const bytes = Buffer.concat(frames.map((m) => encoder.encode(m)));
    const sizes = frames.map((m) => encoder.encode(m).length - 4);
    for (let split = 1; split < bytes.length; split++) {
      const seen = decode([bytes.subarray(0, split), bytes.subarray(split)]);
      expect(seen.map(([m]) => m)).toEqual(frames);
      expect(seen.map(([, size]) => size)).toEqual(sizes);
    }
  });

  it("decodes any sequence of stream frames the same under any chunking (property)", () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryStreamMessage(), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(frames.map((m) => encoder.encode(m)));
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const next = Math.min(bytes.length, at + cuts[i % cuts.length]!);
            chunks.push(bytes.subarray(at, next));
            at = next;
          }
          expect(decode(chunks).map(([m]) => m)).toEqual(frames);
        },
      ),
      { seed: 1512, numRuns: 200 },
    );
  });
});

describe("a peer's stream windows in its Hello (§12.2)", () => {
  it("are always sent, the defaults or the named options", async () => {
    for (const [options, window] of [
      [{}, { items: DEFAULT_STREAM_WINDOW_ITEMS, bytes: DEFAULT_STREAM_WINDOW_BYTES }],
      [
        { streamWindowItems: 3, streamWindowBytes: 70_000 },
        { items: 3, bytes: 70_000 },
      ],
    ] as const) {
      const { peer, remote } = peerWithRawRemote(options);
      const raw = new RawEnd(remote);
      raw.handshake({ minor: 1, streamWindow: { items: 16, bytes: 262_144 } });
      await peer.ready;
      const hello = (await raw.next(Kind.Hello)) as HelloMessage;
      expect(hello.minor).toBeGreaterThanOrEqual(1); // 1.2 keeps the 1.1 Hello layout
      expect(hello.streamWindow).toEqual(window);
    }
  });

  it("refuses a zero window option with INVALID_OPTION naming it", () => {
    for (const name of ["streamWindowItems", "streamWindowBytes", "maxConcurrentStreams"]) {
      expect(() => peerWithRawRemote({ [name]: 0 })).toThrow(
        expect.objectContaining({ code: "INVALID_OPTION", message: expect.stringContaining(name) }),
      );
    }
  });

  it("resets the connection with PROTOCOL_ERROR on each stream frame from a remote without windows", async () => {
    for (const frame of [opening, data, end, item, credit]) {
      const { peer, remote } = peerWithRawRemote({});
      const raw = new RawEnd(remote);
      raw.handshake({ minor: 1 });
      await peer.ready;
      raw.send(frame);
      const info = await peer.closed;
      expect(info, `kind 0x${frame.kind.toString(16)}`).toMatchObject({ reason: "error" });
      expect(codeOf(info.error)).toBe("PROTOCOL_ERROR");
      expect(String(info.error?.message)).toContain("protocol 1.1");
    }
  });
});

/** Decodes `chunks` through a streams-enabled binary wire format: each message and its size. */
function decode(chunks: readonly Uint8Array[]): [Message, number][] {
  const wire = createBinaryWireFormat(codec, { maxFrameBytes: 65_536, streams: true });
  const out: [Message, number][] = [];
  for (const chunk of chunks) wire.push(chunk, (m, size) => out.push([m, size]));
  return out;
}

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const body = fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer()), fc.constant(null));

function arbitraryStreamMessage(): fc.Arbitrary<Message> {
  return fc.oneof(
    fc.record({
      kind: fc.constant(Kind.Request),
      id: u32,
      timeoutMs: u32,
      method: fc.string({ minLength: 1, maxLength: 20 }),
      metadata: fc.constant(undefined),
      body: fc.option(body, { nil: undefined }),
      more: fc.constant(true),
    }),
    fc.record({
      kind: fc.constant(Kind.Response),
      id: u32,
      status: fc.constant(ResponseStatus.Ok),
      body: fc.option(body, { nil: undefined }),
      more: fc.constant(true),
    }),
    fc.record({ kind: fc.constant(Kind.Data), id: u32, more: fc.constant(true), body }),
    fc.record({
      kind: fc.constant(Kind.Data),
      id: u32,
      more: fc.constant(false),
      body: fc.constant(undefined),
    }),
    fc.record({
      kind: fc.constant(Kind.Credit),
      id: u32,
      stream: fc.constantFrom(CreditStream.Outputs, CreditStream.Inputs),
      items: u32,
      bytes: u32,
    }),
  ) as fc.Arbitrary<Message>;
}
