import { createMsgpackCodec } from "@parley/codec";
import { describe, expect, it } from "vitest";
import { helloDigest } from "../src/auth-proof.js";
import { Kind } from "../src/wire-constants.js";
import { createBinaryWireFormat } from "../src/wire-format.js";
import type { Message } from "../src/wire-messages.js";
import { rawHello } from "./support/raw-end.js";

const messages: Message[] = [
  { kind: Kind.Request, id: 1, timeoutMs: 50, method: "add", metadata: { a: "b" }, body: { a: 1 } },
  { kind: Kind.Ping, id: 7 },
  { kind: Kind.Response, id: 1, status: 0, body: "x".repeat(300) },
  { kind: Kind.Signal, name: "log", metadata: undefined, body: [1, 2, 3] },
  { kind: Kind.ByeAck },
];

function stream(): Uint8Array {
  const wire = createBinaryWireFormat(createMsgpackCodec(), { maxFrameBytes: 65_536 });
  return Buffer.concat(messages.map((m) => wire.encode(m)));
}

describe("binary wire format", () => {
  it("keeps a received Hello's digest unless told it is not wanted (helloDigests: false)", () => {
    const codec = createMsgpackCodec();
    const frame = createBinaryWireFormat(codec, { maxFrameBytes: 65_536 }).encode(rawHello());
    for (const [helloDigests, digest] of [
      [undefined, helloDigest(frame.subarray(4))],
      [true, helloDigest(frame.subarray(4))],
      [false, undefined],
    ] as const) {
      const wire = createBinaryWireFormat(codec, { maxFrameBytes: 65_536, helloDigests });
      const out: Message[] = [];
      wire.push(frame, (m) => out.push(m));
      expect(out.map((m) => m.kind)).toEqual([Kind.Hello]);
      expect(wire.lastHelloDigest?.()).toEqual(digest);
    }
  });

  it("decodes the same messages whatever the chunking, split at every byte offset", () => {
    const bytes = stream();
    for (let split = 1; split < bytes.length; split++) {
      const wire = createBinaryWireFormat(createMsgpackCodec(), { maxFrameBytes: 65_536 });
      const out: Message[] = [];
      wire.push(bytes.subarray(0, split), (m) => out.push(m));
      wire.push(bytes.subarray(split), (m) => out.push(m));
      expect(out).toEqual(messages);
    }
  });

  it("decodes a stream fed one byte at a time", () => {
    const bytes = stream();
    const wire = createBinaryWireFormat(createMsgpackCodec(), { maxFrameBytes: 65_536 });
    const out: Message[] = [];
    for (const byte of bytes) wire.push(Uint8Array.of(byte), (m) => out.push(m));
    expect(out).toEqual(messages);
  });

  it("refuses a frame declaring more than maxFrameBytes before buffering it (FRAME_TOO_LARGE)", () => {
    const wire = createBinaryWireFormat(createMsgpackCodec(), { maxFrameBytes: 65_536 });
    let caught: { code?: string } | undefined;
    try {
      wire.push(Uint8Array.of(0, 1, 0, 1, Kind.Ping), () => {});
    } catch (error) {
      caught = error as { code?: string };
    }
    expect(caught?.code).toBe("FRAME_TOO_LARGE");
  });
});
