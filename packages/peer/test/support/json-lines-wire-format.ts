/**
 * A second, deliberately plain wire format: each message is one line of JSON (bodies included, so
 * only JSON values travel). It proves that the engine depends on the WireFormat seam only.
 */
import { DelimiterDecoder } from "@parley/framing";
import { frameTooLarge, type WireFormat, type WireFormatOptions } from "../../src/internal.js";
import type { Message } from "../../src/wire-messages.js";

const NEWLINE_BYTES = 1;

export function createJsonLinesWireFormat(_codec: unknown, options: WireFormatOptions): WireFormat {
  const lines = new DelimiterDecoder({ maxLineBytes: options.maxFrameBytes });
  const text = new TextDecoder();
  let remoteMaxFrameBytes = 65_536;
  const encode = (message: Message): Uint8Array =>
    new TextEncoder().encode(`${JSON.stringify(message)}\n`);
  return {
    name: "json-lines",
    frameOverheadBytes: NEWLINE_BYTES,
    encode,
    encodeFrame(message) {
      const frame = encode(message);
      const payloadBytes = frame.byteLength - NEWLINE_BYTES;
      if (payloadBytes > remoteMaxFrameBytes) {
        throw frameTooLarge(message, payloadBytes, remoteMaxFrameBytes);
      }
      return frame;
    },
    setRemoteMaxFrameBytes(bytes) {
      remoteMaxFrameBytes = bytes;
    },
    push(chunk, onMessage) {
      lines.push(chunk, (line) => onMessage(JSON.parse(text.decode(line)) as Message, line.length));
    },
  };
}
