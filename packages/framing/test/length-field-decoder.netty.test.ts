// The seven layouts documented in the javadoc of Netty's LengthFieldBasedFrameDecoder
// (io.netty.handler.codec), with their exact bytes before and after decoding.
import { LengthFieldDecoder, type LengthFieldOptions } from "@parley/framing";
import { describe, expect, it } from "vitest";
import { concat, cut, decodeAll, utf8 } from "./support.js";

const CONTENT = utf8("HELLO, WORLD");
const bytes = (...values: number[]) => Uint8Array.from(values);

interface NettyExample {
  title: string;
  options: LengthFieldOptions;
  before: Uint8Array;
  after: Uint8Array;
}

const examples: NettyExample[] = [
  {
    title: "2 bytes length field at offset 0, do not strip header",
    options: {
      lengthFieldOffset: 0,
      lengthFieldLength: 2,
      lengthAdjustment: 0,
      initialBytesToStrip: 0,
    },
    before: concat(bytes(0x00, 0x0c), CONTENT),
    after: concat(bytes(0x00, 0x0c), CONTENT),
  },
  {
    title: "2 bytes length field at offset 0, strip header",
    options: {
      lengthFieldOffset: 0,
      lengthFieldLength: 2,
      lengthAdjustment: 0,
      initialBytesToStrip: 2,
    },
    before: concat(bytes(0x00, 0x0c), CONTENT),
    after: CONTENT,
  },
  {
    title: "2 bytes length field at offset 0, do not strip header, length counts the whole message",
    options: {
      lengthFieldOffset: 0,
      lengthFieldLength: 2,
      lengthAdjustment: -2,
      initialBytesToStrip: 0,
    },
    before: concat(bytes(0x00, 0x0e), CONTENT),
    after: concat(bytes(0x00, 0x0e), CONTENT),
  },
  {
    title: "3 bytes length field at the end of 5 bytes header, do not strip header",
    options: {
      lengthFieldOffset: 2,
      lengthFieldLength: 3,
      lengthAdjustment: 0,
      initialBytesToStrip: 0,
    },
    before: concat(bytes(0xca, 0xfe, 0x00, 0x00, 0x0c), CONTENT),
    after: concat(bytes(0xca, 0xfe, 0x00, 0x00, 0x0c), CONTENT),
  },
  {
    title: "3 bytes length field at the beginning of 5 bytes header, do not strip header",
    options: {
      lengthFieldOffset: 0,
      lengthFieldLength: 3,
      lengthAdjustment: 2,
      initialBytesToStrip: 0,
    },
    before: concat(bytes(0x00, 0x00, 0x0c, 0xca, 0xfe), CONTENT),
    after: concat(bytes(0x00, 0x00, 0x0c, 0xca, 0xfe), CONTENT),
  },
  {
    title: "2 bytes length field at offset 1 in a 4 bytes header, strip HDR1 and the length field",
    options: {
      lengthFieldOffset: 1,
      lengthFieldLength: 2,
      lengthAdjustment: 1,
      initialBytesToStrip: 3,
    },
    before: concat(bytes(0xca, 0x00, 0x0c, 0xfe), CONTENT),
    after: concat(bytes(0xfe), CONTENT),
  },
  {
    title:
      "2 bytes length field at offset 1 in a 4 bytes header, strip HDR1 and LEN, length counts all",
    options: {
      lengthFieldOffset: 1,
      lengthFieldLength: 2,
      lengthAdjustment: -3,
      initialBytesToStrip: 3,
    },
    before: concat(bytes(0xca, 0x00, 0x10, 0xfe), CONTENT),
    after: concat(bytes(0xfe), CONTENT),
  },
];

describe("LengthFieldDecoder reproduces Netty's documented examples", () => {
  it("has the byte counts Netty's diagrams state", () => {
    const sizes = examples.map((e) => [e.before.length, e.after.length]);
    expect(sizes).toEqual([
      [14, 14],
      [14, 12],
      [14, 14],
      [17, 17],
      [17, 17],
      [16, 13],
      [16, 13],
    ]);
  });

  for (const { title, options, before, after } of examples) {
    describe(title, () => {
      it("decodes the frame delivered in one chunk", () => {
        expect(new LengthFieldDecoder(options).decode(before)).toEqual([after]);
      });

      it("decodes three frames back to back delivered one byte at a time", () => {
        const chunks = Array.from(concat(before, before, before), (b) => Uint8Array.of(b));
        expect(decodeAll(new LengthFieldDecoder(options), chunks)).toEqual([after, after, after]);
      });

      it("decodes the frame at every split point", () => {
        for (let at = 0; at <= before.length; at++) {
          expect(decodeAll(new LengthFieldDecoder(options), cut(before, [at]))).toEqual([after]);
        }
      });
    });
  }

  it("combines lengthIncludesHeader with lengthAdjustment like Netty's -3 example", () => {
    // The length (0x10) counts HDR1 + LEN + HDR2 + content; lengthIncludesHeader covers HDR1 + LEN.
    const decoder = new LengthFieldDecoder({
      lengthFieldOffset: 1,
      lengthFieldLength: 2,
      lengthIncludesHeader: true,
      initialBytesToStrip: 3,
    });
    expect(decoder.decode(examples[6]!.before)).toEqual([examples[6]!.after]);
  });
});
