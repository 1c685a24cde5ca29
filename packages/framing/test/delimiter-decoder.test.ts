import { DEFAULT_MAX_LINE_BYTES, DelimiterDecoder } from "@parley/framing";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { concat, cut, decodeAll, text, thrown, utf8 } from "./support.js";

const lines = (decoder: DelimiterDecoder, chunks: Uint8Array[]) =>
  decodeAll(decoder, chunks).map(text);

describe("DelimiterDecoder", () => {
  it("splits newline-delimited JSON by default, dropping the delimiter", () => {
    const decoder = new DelimiterDecoder();
    expect(decoder.decode(utf8('{"a":1}\n{"b":2}\n')).map(text)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("decodes one line, many lines, and a line across chunks", () => {
    expect(lines(new DelimiterDecoder(), [utf8("one\n")])).toEqual(["one"]);
    expect(lines(new DelimiterDecoder(), [utf8("a\nb\nc\n")])).toEqual(["a", "b", "c"]);
    const decoder = new DelimiterDecoder();
    expect(decoder.decode(utf8("hel"))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(3);
    expect(decoder.decode(utf8("lo\nwor")).map(text)).toEqual(["hello"]);
    expect(decoder.bufferedBytes).toBe(3);
  });

  it("emits empty lines as empty arrays", () => {
    expect(lines(new DelimiterDecoder(), [utf8("\n\nx\n\n")])).toEqual(["", "", "x", ""]);
  });

  it("decodes the same lines at every split point and one byte at a time, for a 2-byte delimiter", () => {
    const wire = utf8("alpha\r\nbeta\r\n\r\ngam\rma\r\n");
    const expected = ["alpha", "beta", "", "gam\rma"];
    for (let at = 0; at <= wire.length; at++) {
      const got = lines(new DelimiterDecoder({ delimiter: "\r\n" }), cut(wire, [at]));
      expect(got, `split at ${at}`).toEqual(expected);
    }
    const bytes = Array.from(wire, (b) => Uint8Array.of(b));
    expect(lines(new DelimiterDecoder({ delimiter: "\r\n" }), bytes)).toEqual(expected);
  });

  it("finds a 3-byte delimiter spread over three chunks", () => {
    const decoder = new DelimiterDecoder({ delimiter: Uint8Array.of(0xff, 0xfe, 0xfd) });
    decoder.decode(Uint8Array.of(1, 2, 0xff));
    decoder.decode(Uint8Array.of(0xfe));
    expect(decoder.decode(Uint8Array.of(0xfd, 9))).toEqual([Uint8Array.of(1, 2)]);
    expect(decoder.bufferedBytes).toBe(1);
  });

  it("does not mistake a partial delimiter repeated at a boundary for the whole one", () => {
    const decoder = new DelimiterDecoder({ delimiter: "ab" });
    expect(lines(decoder, [utf8("xa"), utf8("a"), utf8("b")])).toEqual(["xa"]);
  });

  it("keeps the delimiter when includeDelimiter is set", () => {
    const decoder = new DelimiterDecoder({ delimiter: "\r\n", includeDelimiter: true });
    expect(lines(decoder, [utf8("a\r"), utf8("\nb\r\n")])).toEqual(["a\r\n", "b\r\n"]);
  });

  it("encodes a string delimiter as UTF-8", () => {
    const decoder = new DelimiterDecoder({ delimiter: "§" });
    expect(lines(decoder, [utf8("x§y§")])).toEqual(["x", "y"]);
  });

  it("copies the delimiter option so later changes to the caller's array do not matter", () => {
    const delimiter = Uint8Array.of(0x00);
    const decoder = new DelimiterDecoder({ delimiter });
    delimiter[0] = 0x01;
    expect(decoder.decode(Uint8Array.of(5, 0, 1))).toEqual([Uint8Array.of(5)]);
  });

  it("hands out a line inside one chunk as a view, and copies a spanning line once", () => {
    const chunk = utf8("view\nspa");
    const decoder = new DelimiterDecoder();
    const [inChunk] = decoder.decode(chunk);
    expect(inChunk!.buffer).toBe(chunk.buffer);
    const set = vi.spyOn(Uint8Array.prototype, "set");
    const [spanning] = decoder.decode(utf8("nning\n"));
    const copied = set.mock.calls.reduce((n, call) => n + (call[0] as ArrayLike<number>).length, 0);
    set.mockRestore();
    expect(text(spanning!)).toBe("spanning");
    expect(copied).toBe(8);
    expect(spanning!.buffer.byteLength).toBe(8);
    expect(Object.getPrototypeOf(spanning)).toBe(Uint8Array.prototype);
  });

  it("assembles a line trickling in one byte per chunk", () => {
    const line = "x".repeat(5000);
    const chunks = Array.from(utf8(`${line}\nnext\n`), (b) => Uint8Array.of(b));
    expect(lines(new DelimiterDecoder(), chunks)).toEqual([line, "next"]);
  });
});

describe("DelimiterDecoder limits and end of stream", () => {
  it("accepts a line of exactly maxLineBytes and rejects a longer one before its delimiter", () => {
    expect(lines(new DelimiterDecoder({ maxLineBytes: 4 }), [utf8("abcd\n")])).toEqual(["abcd"]);
    const decoder = new DelimiterDecoder({ maxLineBytes: 4 });
    decoder.decode(utf8("abc"));
    const error = thrown(() => decoder.decode(utf8("de")));
    expect(error).toMatchObject({ code: "LINE_TOO_LONG", maxLineBytes: 4, receivedBytes: 5 });
    expect(error.message).toContain("maxLineBytes (4)");
    expect(decoder.bufferedBytes).toBe(3);
  });

  it("does not count a partial delimiter at a chunk's end against maxLineBytes", () => {
    const decoder = new DelimiterDecoder({ delimiter: "\r\n", maxLineBytes: 4 });
    expect(decoder.decode(utf8("abcd\r"))).toEqual([]);
    expect(decoder.decode(utf8("\n")).map(text)).toEqual(["abcd"]);
    const pending = new DelimiterDecoder({ delimiter: "\r\n", maxLineBytes: 4 });
    pending.decode(utf8("ab"));
    expect(pending.decode(utf8("cd\r"))).toEqual([]);
    expect(thrown(() => pending.decode(utf8("x"))).code).toBe("LINE_TOO_LONG");
  });

  it("rejects an over-long line that arrives whole in one chunk", () => {
    const error = thrown(() =>
      new DelimiterDecoder({ maxLineBytes: 2 }).decode(utf8("ok\nlong\n")),
    );
    expect(error).toMatchObject({ code: "LINE_TOO_LONG", receivedBytes: 4 });
  });

  it("defaults maxLineBytes to 4 MiB", () => {
    expect(DEFAULT_MAX_LINE_BYTES).toBe(4 * 1024 * 1024);
    const decoder = new DelimiterDecoder();
    decoder.decode(new Uint8Array(DEFAULT_MAX_LINE_BYTES).fill(0x61));
    expect(thrown(() => decoder.decode(utf8("a"))).code).toBe("LINE_TOO_LONG");
  });

  it("names TLS when a first line without delimiter is a TLS handshake", () => {
    const hello = concat(Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0xa5), new Uint8Array(100).fill(1));
    const error = thrown(() => new DelimiterDecoder({ maxLineBytes: 64 }).decode(hello));
    expect(error).toMatchObject({ code: "LINE_TOO_LONG", detectedProtocol: "TLS" });
    expect(error.message).toMatch(/^peer appears to speak TLS/);
  });

  it("reports a last line without its delimiter as truncated by default", () => {
    const decoder = new DelimiterDecoder();
    decoder.decode(utf8("done\npart"));
    const error = thrown(() => decoder.end());
    expect(error).toMatchObject({
      code: "FRAME_TRUNCATED",
      expectedBytes: undefined,
      receivedBytes: 4,
    });
    expect(thrown(() => decoder.decode(utf8("\n")))).toBe(error);
  });

  it("emits a last line without its delimiter when unterminatedLastLine is emit", () => {
    const decoder = new DelimiterDecoder({ unterminatedLastLine: "emit" });
    expect(lines(decoder, [utf8("a\nlast")])).toEqual(["a", "last"]);
  });

  it("rejects an unterminated last line longer than maxLineBytes at end instead of emitting it", () => {
    // "abcde" ends with what could be the start of "\r\n", so push() rightly holds it.
    const decoder = new DelimiterDecoder({
      delimiter: "\r\n",
      maxLineBytes: 4,
      unterminatedLastLine: "emit",
    });
    expect(decoder.decode(utf8("ok\r\nabcde"))).toHaveLength(1);
    const emitted: Uint8Array[] = [];
    const error = thrown(() => decoder.end((line) => emitted.push(line)));
    expect(error).toMatchObject({ code: "LINE_TOO_LONG", maxLineBytes: 4, receivedBytes: 5 });
    expect(emitted).toEqual([]);
    expect(thrown(() => decoder.end())).toBe(error);
    const fits = new DelimiterDecoder({
      delimiter: "\r\n",
      maxLineBytes: 4,
      unterminatedLastLine: "emit",
    });
    expect(lines(fits, [utf8("abc\r")])).toEqual(["abc\r"]);
  });

  it("ends quietly on a line boundary", () => {
    const decoder = new DelimiterDecoder();
    decoder.decode(utf8("a\n"));
    expect(() => decoder.end()).not.toThrow();
  });

  it("rejects bad options naming the option", () => {
    for (const [options, name] of [
      [{ delimiter: "" }, "delimiter"],
      [{ delimiter: 7 }, "delimiter"],
      [{ maxLineBytes: 0 }, "maxLineBytes"],
      [{ includeDelimiter: 1 }, "includeDelimiter"],
      [{ unterminatedLastLine: "keep" }, "unterminatedLastLine"],
    ] as const) {
      const error = thrown(() => new DelimiterDecoder(options as never));
      expect(error.code).toBe("INVALID_OPTION");
      expect(error.message).toContain(name);
    }
  });
});

describe("DelimiterDecoder properties", () => {
  it("decodes any lines, cut into any chunks, to the same lines", () => {
    const delimiters = fc.constantFrom("\n", "\r\n", "--", "\u0000\u0001\u0000");
    fc.assert(
      fc.property(
        delimiters,
        fc.array(fc.string({ unit: fc.constantFrom("a", "-", "\r", "\n", "\u0000", "\u0001") })),
        fc.array(fc.nat(), { maxLength: 80 }),
        (delimiter, raw, cuts) => {
          const joined = raw.map((l) => l + delimiter).join("");
          // Reference: String#split finds the same leftmost, non-overlapping delimiters.
          const want = joined.split(delimiter);
          if (want.at(-1) === "") want.pop();
          const wire = utf8(joined);
          const offsets = [...new Set(cuts.map((n) => n % (wire.length + 1)))].sort(
            (a, b) => a - b,
          );
          const decoder = new DelimiterDecoder({ delimiter, unterminatedLastLine: "emit" });
          expect(lines(decoder, cut(wire, offsets))).toEqual(want);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
