import { LengthFieldDecoder, LengthFieldEncoder } from "@parley/framing";
import { describe, expect, it } from "vitest";
import { concat, lengthBytes, thrown } from "./support.js";

// The README's "Porting from Netty" examples, against Netty's documented arithmetic:
// LengthFieldPrepender writes `payload + lengthAdjustment (+ lengthFieldLength when it includes
// itself)`; LengthFieldBasedFrameDecoder's frame is `value + lengthAdjustment + lengthFieldEndOffset`
// bytes and must not exceed maxFrameLength.

/** The length field value Netty's LengthFieldPrepender writes. */
function nettyPrependerValue(
  payload: number,
  lengthAdjustment: number,
  fieldBytes: number,
  includes = false,
) {
  return payload + lengthAdjustment + (includes ? fieldBytes : 0);
}

/** Whether Netty's LengthFieldBasedFrameDecoder accepts a frame with this field value. */
function nettyAccepts(
  value: number,
  o: { maxFrameLength: number; offset: number; fieldBytes: number; adjustment: number },
) {
  return value + o.adjustment + o.offset + o.fieldBytes <= o.maxFrameLength;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("porting from Netty", () => {
  it("lengthAdjustment: Parley's -2 on both sides writes what Netty's LengthFieldPrepender(2, 2) writes", () => {
    const layout = { lengthFieldLength: 2, lengthAdjustment: -2 } as const;
    for (const payload of [0, 10, 1000]) {
      const header = new LengthFieldEncoder(layout).header(payload);
      const netty = nettyPrependerValue(payload, +2, 2);
      expect(hex(header)).toBe(hex(lengthBytes(netty, 2)));
      expect(nettyPrependerValue(payload, 0, 2, true)).toBe(netty); // LengthFieldPrepender(2, true)
    }
    expect(hex(new LengthFieldEncoder(layout).header(10))).toBe("000c");
    const body = new Uint8Array(10).fill(7);
    const frames = new LengthFieldDecoder(layout).decode(concat(lengthBytes(12, 2), body));
    expect(frames.map(hex)).toEqual([hex(body)]);
    // lengthIncludesHeader says the same thing.
    const same = new LengthFieldEncoder({ lengthFieldLength: 2, lengthIncludesHeader: true });
    expect(hex(same.header(10))).toBe("000c");
  });

  it("maximum: maxFrameBytes = Netty's maxFrameLength minus the header accepts exactly the same frames", () => {
    const fieldBytes = 4;
    for (const offset of [0, 2]) {
      const maxFrameLength = 1_048_576;
      const netty = { maxFrameLength, offset, fieldBytes, adjustment: 0 };
      const maxFrameBytes = maxFrameLength - offset - fieldBytes;
      expect(maxFrameBytes).toBe(offset === 0 ? 1_048_572 : 1_048_570);
      for (const body of [maxFrameBytes, maxFrameBytes + 1]) {
        const decoder = new LengthFieldDecoder({
          lengthFieldOffset: offset,
          lengthFieldLength: fieldBytes,
          maxFrameBytes,
        });
        const head = concat(new Uint8Array(offset), lengthBytes(body, fieldBytes));
        const parleyAccepts = (() => {
          try {
            decoder.decode(head); // the length is checked before any body byte arrives
            return true;
          } catch (error) {
            expect((error as { code?: string }).code).toBe("FRAME_TOO_LARGE");
            return false;
          }
        })();
        expect(parleyAccepts, `body ${body}, offset ${offset}`).toBe(nettyAccepts(body, netty));
      }
      // The encoder holds the same line.
      const encoder = new LengthFieldEncoder({ lengthFieldLength: fieldBytes, maxFrameBytes });
      expect(encoder.header(maxFrameBytes).length).toBe(fieldBytes);
      expect(thrown(() => encoder.header(maxFrameBytes + 1)).code).toBe("FRAME_TOO_LARGE");
    }
  });
});
