import { DelimiterDecoder, type LineTooLongError } from "@parley/framing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cut, decodeAll, text, thrown, utf8 } from "./support.js";

/** A decoder in discarding mode, with the errors it reported. */
function discarding(options: { delimiter?: string; maxLineBytes: number }) {
  const reported: LineTooLongError[] = [];
  const decoder = new DelimiterDecoder({
    ...options,
    tooLongLine: "discard",
    onDiscard: (error) => reported.push(error),
  });
  return { decoder, reported };
}

describe("DelimiterDecoder with tooLongLine: discard", () => {
  it("reports an oversized line once with LINE_TOO_LONG and decodes the lines after it", () => {
    const { decoder, reported } = discarding({ maxLineBytes: 4 });
    const got = decoder.decode(utf8("ok\nwaytoolong\nfine\n")).map(text);
    expect(got).toEqual(["ok", "fine"]);
    expect(reported.map((e) => e.code)).toEqual(["LINE_TOO_LONG"]);
    expect(reported[0]).toMatchObject({ maxLineBytes: 4, retryable: false });
    expect(reported[0]!.receivedBytes).toBeGreaterThan(4);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("drops a line spanning many chunks without buffering it, and reports it as soon as it is too long", () => {
    const { decoder, reported } = discarding({ maxLineBytes: 8 });
    expect(decoder.decode(utf8("0123456789"))).toEqual([]);
    expect(reported).toHaveLength(1); // certain after 10 bytes: no need to wait for the delimiter
    for (let i = 0; i < 1000; i++) {
      expect(decoder.decode(utf8("abcdefgh"))).toEqual([]);
      expect(decoder.bufferedBytes).toBe(0);
    }
    expect(decoder.decode(utf8("tail\nnext\n")).map(text)).toEqual(["next"]);
    expect(reported).toHaveLength(1);
  });

  it("accepts a line of exactly maxLineBytes and reports the next byte over", () => {
    const { decoder, reported } = discarding({ maxLineBytes: 3 });
    expect(decoder.decode(utf8("abc\nabcd\nxyz\n")).map(text)).toEqual(["abc", "xyz"]);
    expect(reported).toHaveLength(1);
  });

  it("decodes the same lines at every split point and one byte at a time, for 1-, 2- and 3-byte delimiters", () => {
    for (const delimiter of ["\n", "\r\n", "END"]) {
      const lines = ["a", "far too long a line", "", "bb", "also much too long", "cc"];
      const wire = utf8(lines.map((l) => l + delimiter).join(""));
      const expected = ["a", "", "bb", "cc"];
      for (let at = 0; at <= wire.length; at++) {
        for (let at2 = at; at2 <= wire.length; at2 += 3) {
          const { decoder, reported } = discarding({ delimiter, maxLineBytes: 4 });
          const got = decodeAll(decoder, cut(wire, [at, at2])).map(text);
          expect(got, `${JSON.stringify(delimiter)} split at ${at}, ${at2}`).toEqual(expected);
          expect(reported, `${JSON.stringify(delimiter)} split at ${at}, ${at2}`).toHaveLength(2);
        }
      }
      const { decoder, reported } = discarding({ delimiter, maxLineBytes: 4 });
      const bytes = Array.from(wire, (b) => Uint8Array.of(b));
      expect(decodeAll(decoder, bytes).map(text)).toEqual(expected);
      expect(reported).toHaveLength(2);
    }
  });

  it("ends quietly inside a dropped line: it was already reported", () => {
    const { decoder, reported } = discarding({ maxLineBytes: 2 });
    decoder.decode(utf8("ok\nlonger than two"));
    expect(() => decoder.end()).not.toThrow();
    expect(reported).toHaveLength(1);
  });

  it("reports an unterminated last line longer than maxLineBytes at end and emits nothing", () => {
    const reported: LineTooLongError[] = [];
    const decoder = new DelimiterDecoder({
      delimiter: "\r\n",
      maxLineBytes: 4,
      unterminatedLastLine: "emit",
      tooLongLine: "discard",
      onDiscard: (error) => reported.push(error),
    });
    decoder.decode(utf8("abcde"));
    const emitted: Uint8Array[] = [];
    expect(() => decoder.end((line) => emitted.push(line))).not.toThrow();
    expect(emitted).toEqual([]);
    expect(reported.map((e) => [e.code, e.receivedBytes])).toEqual([["LINE_TOO_LONG", 5]]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("fails for good when onDiscard throws, as when onFrame does", () => {
    const boom = Object.assign(new Error("handler failed"), { code: "X" });
    const decoder = new DelimiterDecoder({
      maxLineBytes: 2,
      tooLongLine: "discard",
      onDiscard: () => {
        throw boom;
      },
    });
    expect(() => decoder.decode(utf8("long line\n"))).toThrow(boom);
    expect(() => decoder.decode(utf8("ok\n"))).toThrow(boom);
  });

  it("still fails for good by default (tooLongLine: fail)", () => {
    const decoder = new DelimiterDecoder({ maxLineBytes: 2 });
    expect(thrown(() => decoder.decode(utf8("long\nok\n"))).code).toBe("LINE_TOO_LONG");
    expect(thrown(() => decoder.decode(utf8("ok\n"))).code).toBe("LINE_TOO_LONG");
  });

  it("rejects tooLongLine: discard without onDiscard, and bad values, with INVALID_OPTION", () => {
    expect(thrown(() => new DelimiterDecoder({ tooLongLine: "discard" })).code).toBe(
      "INVALID_OPTION",
    );
    const bad = { tooLongLine: "skip" } as unknown as { tooLongLine: "fail" };
    expect(thrown(() => new DelimiterDecoder(bad)).message).toMatch(/tooLongLine/);
    const notAFunction = { tooLongLine: "discard", onDiscard: 1 } as unknown as {
      tooLongLine: "discard";
    };
    expect(thrown(() => new DelimiterDecoder(notAFunction)).code).toBe("INVALID_OPTION");
  });

  it("property: any chunking yields exactly the lines that fit, and one report per line that does not", () => {
    const delimiter = fc.constantFrom("\n", "\r\n", "END");
    const line = fc.string({ unit: fc.constantFrom("x", "y", "\r"), maxLength: 12 });
    fc.assert(
      fc.property(
        delimiter,
        fc.array(line, { maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (delim, lines, max, rawCuts) => {
          const wire = utf8(lines.map((l) => l + delim).join(""));
          const cuts = rawCuts.map((c) => c % (wire.length + 1)).sort((a, b) => a - b);
          const { decoder, reported } = discarding({ delimiter: delim, maxLineBytes: max });
          const got = decodeAll(decoder, cut(wire, cuts)).map(text);
          expect(got).toEqual(lines.filter((l) => utf8(l).length <= max));
          expect(reported.length).toBe(lines.filter((l) => utf8(l).length > max).length);
          expect(reported.every((e) => e.code === "LINE_TOO_LONG")).toBe(true);
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 600, seed: 5 },
    );
  });
});
