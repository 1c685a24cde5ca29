import { LengthFieldDecoder } from "@parley/framing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { concat, cut, decodeAll, frame, lengthBytes, thrown, utf8 } from "./support.js";

const hello = utf8("hello, world");
const payloads = [utf8("a"), utf8(""), utf8("second frame"), new Uint8Array(300).fill(7)];
const stream = concat(...payloads.map(frame));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("LengthFieldDecoder basics", () => {
  it("decodes one frame delivered in one chunk", () => {
    expect(new LengthFieldDecoder().decode(frame(hello))).toEqual([hello]);
  });

  it("decodes many frames delivered in one chunk, in order", () => {
    expect(new LengthFieldDecoder().decode(stream)).toEqual(payloads);
  });

  it("hands over every frame of a chunk when a handler pushes into the same decoder again", () => {
    const inner: Uint8Array[] = [];
    const outer: Uint8Array[] = [];
    const decoder = new LengthFieldDecoder();
    decoder.push(concat(frame(utf8("one")), frame(utf8("two")), frame(utf8("three"))), (f) => {
      outer.push(f.slice());
      if (outer.length === 1) decoder.push(new Uint8Array(0), (g) => inner.push(g));
      if (outer.length === 2) decoder.push(new Uint8Array(0), (g) => inner.push(g));
    });
    expect(outer).toEqual([utf8("one"), utf8("two"), utf8("three")]);
    expect(inner).toEqual([]);
    const spans: string[] = [];
    const again = new LengthFieldDecoder();
    again.pushSpans(concat(frame(utf8("ab")), frame(utf8("cd"))), (span) => {
      spans.push(new TextDecoder().decode(span.bytes.subarray(span.start, span.end)));
      if (spans.length === 1) again.pushSpans(new Uint8Array(0), () => {});
    });
    expect(spans).toEqual(["ab", "cd"]);
  });

  it("decodes one frame spread across several chunks", () => {
    const decoder = new LengthFieldDecoder();
    const wire = frame(hello);
    expect(decoder.decode(wire.slice(0, 2))).toEqual([]);
    expect(decoder.decode(wire.slice(2, 9))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(9);
    expect(decoder.decode(wire.slice(9))).toEqual([hello]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("decodes the same frames when fed one byte at a time", () => {
    const chunks = Array.from(stream, (b) => Uint8Array.of(b));
    expect(decodeAll(new LengthFieldDecoder(), chunks)).toEqual(payloads);
  });

  it("decodes the same frames whatever single split point cuts the stream", () => {
    for (let at = 0; at <= stream.length; at++) {
      expect(decodeAll(new LengthFieldDecoder(), cut(stream, [at])), `split at ${at}`).toEqual(
        payloads,
      );
    }
  });

  it("decodes the same frames whatever pair of split points cuts the stream", () => {
    const short = concat(frame(utf8("ab")), frame(utf8("")), frame(utf8("cde")));
    const expected = [utf8("ab"), utf8(""), utf8("cde")];
    for (let a = 0; a <= short.length; a++) {
      for (let b = a; b <= short.length; b++) {
        expect(decodeAll(new LengthFieldDecoder(), cut(short, [a, b])), `cuts ${a},${b}`).toEqual(
          expected,
        );
      }
    }
  });

  it("emits zero-length frames as empty arrays, alone and between others", () => {
    const empty = new Uint8Array(0);
    const wire = concat(frame(empty), frame(hello), frame(empty));
    expect(new LengthFieldDecoder().decode(wire)).toEqual([empty, hello, empty]);
    expect(new LengthFieldDecoder().decode(frame(empty))).toEqual([empty]);
  });

  it("calls onFrame synchronously, before push returns", () => {
    const seen: string[] = [];
    new LengthFieldDecoder().push(stream, () => seen.push("frame"));
    seen.push("returned");
    expect(seen).toEqual(["frame", "frame", "frame", "frame", "returned"]);
  });

  it("reads 1, 2, 3, 4 and 8 byte lengths in both byte orders", () => {
    for (const width of [1, 2, 3, 4, 8] as const) {
      for (const byteOrder of ["big", "little"] as const) {
        const decoder = new LengthFieldDecoder({ lengthFieldLength: width, byteOrder });
        const wire = concat(lengthBytes(hello.length, width, byteOrder === "little"), hello);
        expect(decoder.decode(wire), `${width} ${byteOrder}`).toEqual([hello]);
      }
    }
  });

  it("reads 8-byte lengths whose high half is non-zero without losing precision", () => {
    const decoder = new LengthFieldDecoder({ lengthFieldLength: 8, maxFrameBytes: 2 ** 40 });
    decoder.push(lengthBytes(2 ** 32 + 5, 8), () => {});
    expect(decoder.bufferedBytes).toBe(8);
    expect(thrown(() => decoder.end()).expectedBytes).toBe(8 + 2 ** 32 + 5);
  });

  it("decodes a frame whose long pre-length header arrives one byte per chunk", () => {
    const prefix = new Uint8Array(40).fill(0xab);
    const wire = concat(prefix, lengthBytes(hello.length, 2), hello);
    const options = {
      lengthFieldOffset: 40,
      lengthFieldLength: 2,
      initialBytesToStrip: 0,
    } as const;
    const chunks = Array.from(concat(wire, wire), (b) => Uint8Array.of(b));
    expect(decodeAll(new LengthFieldDecoder(options), chunks)).toEqual([wire, wire]);
  });

  it("counts the header in the length when lengthIncludesHeader is set", () => {
    const decoder = new LengthFieldDecoder({ lengthIncludesHeader: true, lengthFieldLength: 2 });
    expect(decoder.decode(concat(lengthBytes(hello.length + 2, 2), hello))).toEqual([hello]);
  });
});

describe("LengthFieldDecoder frames are views", () => {
  it("hands out a frame lying inside one chunk as a view of that chunk's memory", () => {
    const chunk = concat(frame(utf8("x")), frame(hello));
    const [first, second] = new LengthFieldDecoder().decode(chunk);
    expect(second!.buffer).toBe(chunk.buffer);
    expect(second!.byteOffset).toBe(chunk.byteOffset + 9);
    chunk[9] = 0x48; // writing through the chunk shows through the frame: no copy was made
    expect(second![0]).toBe(0x48);
    expect(first!.buffer).toBe(chunk.buffer);
  });

  it("keeps views correct for a chunk that is itself a view at an offset", () => {
    const backing = concat(utf8("junk"), frame(hello), utf8("more"));
    const chunk = backing.subarray(4, 4 + 4 + hello.length);
    const [got] = new LengthFieldDecoder().decode(chunk);
    expect(got).toEqual(hello);
    expect(got!.buffer).toBe(backing.buffer);
  });

  it("copies a spanning frame exactly once into a buffer of exactly its size", () => {
    const payload = new Uint8Array(5000).map((_, i) => i & 0xff);
    const chunks = cut(frame(payload), [3, 1000, 2500, 4000]);
    const decoder = new LengthFieldDecoder();
    const set = vi.spyOn(Uint8Array.prototype, "set");
    const frames: Uint8Array[] = [];
    for (const chunk of chunks) decoder.push(chunk, (f) => frames.push(f));
    const copied = set.mock.calls.reduce((n, call) => n + (call[0] as ArrayLike<number>).length, 0);
    set.mockRestore();
    expect(frames).toEqual([payload]);
    // Every payload byte once, plus the 4 length-field bytes gathered from both sides of the split.
    expect(copied).toBe(payload.length + 4);
    expect(frames[0]!.byteLength).toBe(payload.length);
    expect(frames[0]!.buffer.byteLength).toBe(payload.length);
    // A plain Uint8Array like every other frame (a Buffer's slice() would not copy).
    expect(Object.getPrototypeOf(frames[0])).toBe(Uint8Array.prototype);
    for (const chunk of chunks) expect(frames[0]!.buffer).not.toBe(chunk.buffer);
  });

  it("copies each byte once even when a frame trickles in over many tiny chunks", () => {
    const payload = new Uint8Array(2000).map((_, i) => (i * 7) & 0xff);
    const chunks = Array.from(frame(payload), (b) => Uint8Array.of(b));
    const decoder = new LengthFieldDecoder();
    const set = vi.spyOn(Uint8Array.prototype, "set");
    const frames = chunks.flatMap((c) => decoder.decode(c));
    const copied = set.mock.calls.reduce((n, call) => n + (call[0] as ArrayLike<number>).length, 0);
    set.mockRestore();
    expect(frames).toEqual([payload]);
    expect(copied).toBeLessThanOrEqual(payload.length + 4);
  });
});

describe("LengthFieldDecoder end of stream", () => {
  it("accepts end on a frame boundary", () => {
    const decoder = new LengthFieldDecoder();
    decoder.decode(stream);
    expect(() => decoder.end()).not.toThrow();
  });

  it("reports a stream cut inside a frame body with expected and received bytes", () => {
    const decoder = new LengthFieldDecoder();
    decoder.decode(concat(frame(utf8("done")), frame(hello).subarray(0, 10)));
    const error = thrown(() => decoder.end());
    expect(error.code).toBe("FRAME_TRUNCATED");
    expect(error.expectedBytes).toBe(4 + hello.length);
    expect(error.receivedBytes).toBe(10);
    expect(error.message).toContain("received 10 of 16 bytes");
  });

  it("reports a stream cut inside a length field", () => {
    const decoder = new LengthFieldDecoder();
    decoder.decode(Uint8Array.of(0, 0));
    const error = thrown(() => decoder.end());
    expect(error).toMatchObject({ code: "FRAME_TRUNCATED", expectedBytes: 4, receivedBytes: 2 });
    expect(error.message).toContain("frame header");
  });
});

describe("LengthFieldDecoder after an error", () => {
  it("rethrows the same error on every later call: the stream is corrupt", () => {
    const decoder = new LengthFieldDecoder({ maxFrameBytes: 10 });
    const first = thrown(() => decoder.decode(frame(new Uint8Array(11))));
    expect(first.code).toBe("FRAME_TOO_LARGE");
    expect(thrown(() => decoder.decode(frame(utf8("ok"))))).toBe(first);
    expect(thrown(() => decoder.end())).toBe(first);
  });

  it("stops at an error thrown by onFrame and rethrows it afterwards", () => {
    const decoder = new LengthFieldDecoder();
    const boom = new Error("handler failed");
    const seen: Uint8Array[] = [];
    const error = thrown(() =>
      decoder.push(stream, (f) => {
        seen.push(f);
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(seen).toHaveLength(1);
    expect(thrown(() => decoder.decode(frame(hello)))).toBe(boom);
  });
});
