import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DEFAULT_MAX_FRAME_BYTES, LengthFieldDecoder } from "@parley/framing";
import { describe, expect, it } from "vitest";
import { concat, frame, lengthBytes, thrown, utf8 } from "./support.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const settle = () => {
  gc();
  gc();
  return process.memoryUsage();
};

describe("LengthFieldDecoder limits", () => {
  it("accepts a frame of exactly maxFrameBytes and rejects one byte more", () => {
    const limit = 1000;
    expect(
      new LengthFieldDecoder({ maxFrameBytes: limit }).decode(frame(new Uint8Array(limit))),
    ).toHaveLength(1);
    const error = thrown(() =>
      new LengthFieldDecoder({ maxFrameBytes: limit }).decode(frame(new Uint8Array(limit + 1))),
    );
    expect(error).toMatchObject({
      code: "FRAME_TOO_LARGE",
      declaredBytes: 1001,
      maxFrameBytes: 1000,
    });
    expect(error.message).toContain("maxFrameBytes (1000)");
    expect(error.message).toContain("raise maxFrameBytes on both peers");
    expect(error.retryable).toBe(false);
  });

  it("defaults maxFrameBytes to 4 MiB", () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(4 * 1024 * 1024);
    const error = thrown(() =>
      new LengthFieldDecoder().decode(lengthBytes(4 * 1024 * 1024 + 1, 4)),
    );
    expect(error).toMatchObject({ code: "FRAME_TOO_LARGE", maxFrameBytes: 4 * 1024 * 1024 });
  });

  it("rejects a declared length of 0xFFFFFFFF before buffering a single body byte", () => {
    const decoder = new LengthFieldDecoder();
    const hostile = concat(Uint8Array.of(0xff, 0xff, 0xff, 0xff), new Uint8Array(60_000));
    expect(thrown(() => decoder.decode(hostile))).toMatchObject({
      code: "FRAME_TOO_LARGE",
      declaredBytes: 0xffffffff,
    });
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("rejects a hostile length split across chunks the moment its last byte arrives", () => {
    const decoder = new LengthFieldDecoder();
    for (const b of [0xff, 0xff, 0xff]) decoder.decode(Uint8Array.of(b));
    expect(decoder.bufferedBytes).toBe(3);
    const error = thrown(() => decoder.decode(concat(Uint8Array.of(0xff), new Uint8Array(1000))));
    expect(error.code).toBe("FRAME_TOO_LARGE");
    expect(decoder.bufferedBytes).toBe(3); // the three header bytes; no body byte was kept
  });

  it("rejects 8-byte lengths beyond Number.MAX_SAFE_INTEGER as too large", () => {
    for (const value of [0xffff_ffff_ffff_ffffn, 2n ** 53n, 2n ** 60n + 1n]) {
      const decoder = new LengthFieldDecoder({ lengthFieldLength: 8 });
      const error = thrown(() => decoder.decode(lengthBytes(value, 8)));
      expect(error.code, String(value)).toBe("FRAME_TOO_LARGE");
      expect(error.declaredBytes as number).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    }
  });

  it("keeps memory flat while a hostile peer keeps sending after a rejected length", () => {
    const decoder = new LengthFieldDecoder();
    thrown(() => decoder.decode(Uint8Array.of(0xff, 0xff, 0xff, 0xff)));
    const before = settle().arrayBuffers;
    for (let i = 0; i < 500; i++) {
      expect(thrown(() => decoder.decode(new Uint8Array(64 * 1024))).code).toBe("FRAME_TOO_LARGE");
    }
    const grown = settle().arrayBuffers - before;
    expect(decoder.bufferedBytes).toBe(0);
    expect(grown).toBeLessThan(4 * 1024 * 1024); // 500 x 64 KiB = 32 MiB went in
  });

  it("holds memory for the bytes received, not for the size a frame declares", () => {
    const decoders: LengthFieldDecoder[] = [];
    const before = settle().arrayBuffers;
    for (let i = 0; i < 50; i++) {
      const decoder = new LengthFieldDecoder();
      decoder.decode(concat(lengthBytes(DEFAULT_MAX_FRAME_BYTES, 4), new Uint8Array(16)));
      decoders.push(decoder);
    }
    const grown = settle().arrayBuffers - before;
    expect(decoders.every((d) => d.bufferedBytes === 20)).toBe(true);
    expect(grown).toBeLessThan(8 * 1024 * 1024); // 50 x 4 MiB declared = 200 MiB if preallocated
  });

  it("keeps heap use near the frame size when a frame trickles in one byte per chunk", () => {
    const size = 200_000;
    const decoder = new LengthFieldDecoder();
    decoder.decode(lengthBytes(size, 4));
    const before = settle().heapUsed;
    for (let i = 0; i < size - 1; i++) decoder.decode(Uint8Array.of(i & 0xff));
    const grown = settle().heapUsed - before;
    expect(decoder.bufferedBytes).toBe(size + 3);
    // One retained Uint8Array object per byte would cost well over 10 MB of heap here.
    expect(grown).toBeLessThan(2 * 1024 * 1024);
    expect(decoder.decode(Uint8Array.of(0))[0]!.length).toBe(size);
  });
});

describe("LengthFieldDecoder impossible lengths", () => {
  it("rejects a length that lengthAdjustment makes negative", () => {
    const decoder = new LengthFieldDecoder({ lengthFieldLength: 2, lengthAdjustment: -2 });
    const error = thrown(() => decoder.decode(Uint8Array.of(0, 1, 0xaa)));
    expect(error).toMatchObject({ code: "FRAME_LENGTH_INVALID", lengthFieldValue: 1 });
    expect(error.message).toContain("lengthAdjustment");
  });

  it("rejects a frame shorter than initialBytesToStrip", () => {
    const decoder = new LengthFieldDecoder({ lengthFieldLength: 1, initialBytesToStrip: 5 });
    const error = thrown(() => decoder.decode(Uint8Array.of(2, 0xaa, 0xbb)));
    expect(error).toMatchObject({ code: "FRAME_LENGTH_INVALID", lengthFieldValue: 2 });
    expect(error.message).toContain("initialBytesToStrip (5)");
  });
});

describe("LengthFieldDecoder says what a misdirected peer speaks", () => {
  const cases: [string, Uint8Array, string][] = [
    ["an HTTP GET", utf8("GET / HTTP/1.1\r\nHost: example\r\n\r\n"), "HTTP/1.x"],
    ["an HTTP POST", utf8("POST /rpc HTTP/1.1\r\n"), "HTTP/1.x"],
    ["an HTTP response", utf8("HTTP/1.1 400 Bad Request\r\n"), "HTTP/1.x"],
    ["an HTTP/2 preface", utf8("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), "HTTP/2"],
    [
      "a TLS ClientHello",
      Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc),
      "TLS",
    ],
    ["a JSON object", utf8('{"jsonrpc":"2.0","id":1}'), "JSON"],
    ["an LSP header", utf8("Content-Length: 52\r\n\r\n"), "LSP/Content-Length"],
  ];
  for (const [what, bytes, protocol] of cases) {
    it(`names ${protocol} when the stream starts with ${what}`, () => {
      const error = thrown(() => new LengthFieldDecoder().decode(bytes));
      expect(error.code).toBe("FRAME_TOO_LARGE");
      expect(error.detectedProtocol).toBe(protocol);
      expect(error.message).toMatch(
        new RegExp(`^peer appears to speak ${protocol.replace(/[/.]/g, "\\$&")}`),
      );
      expect(error.message).toContain("wrong port?");
      expect(error.message).toContain("maxFrameBytes (4194304)");
    });
  }

  it("names the protocol when its first bytes arrive one chunk at a time", () => {
    const decoder = new LengthFieldDecoder();
    for (const c of "GET") decoder.decode(utf8(c));
    const error = thrown(() => decoder.decode(utf8(" /index.html HTTP/1.1\r\n")));
    expect(error.detectedProtocol).toBe("HTTP/1.x");
    expect(error.message).toContain('"GET /index.html HTTP/1.1');
  });

  it("names the protocol when such a stream ends inside the first frame", () => {
    const decoder = new LengthFieldDecoder();
    decoder.decode(utf8("{}"));
    const error = thrown(() => decoder.end());
    expect(error).toMatchObject({ code: "FRAME_TRUNCATED", detectedProtocol: "JSON" });
  });

  it("names the protocol on an impossible first length too", () => {
    const decoder = new LengthFieldDecoder({ lengthFieldLength: 1, lengthAdjustment: -200 });
    const error = thrown(() => decoder.decode(utf8('{"a":1}')));
    expect(error).toMatchObject({ code: "FRAME_LENGTH_INVALID", detectedProtocol: "JSON" });
  });

  it("reports a plain oversize frame without guessing a protocol", () => {
    const error = thrown(() => new LengthFieldDecoder().decode(Uint8Array.of(0, 0x50, 0, 0)));
    expect(error.detectedProtocol).toBeUndefined();
    expect(error.message).toBe(
      "frame declares 5242880 bytes, more than maxFrameBytes (4194304); " +
        "raise maxFrameBytes on both peers or send smaller messages",
    );
  });

  it("does not sniff once a frame has been decoded: later bytes are not the stream's start", () => {
    const wire = concat(frame(utf8("ok")), utf8("GET / HTTP/1.1\r\n"));
    const error = thrown(() => new LengthFieldDecoder().decode(wire));
    expect(error.code).toBe("FRAME_TOO_LARGE");
    expect(error.detectedProtocol).toBeUndefined();
    expect(error.message).not.toContain("appears");
  });
});
