/**
 * The seam between the engine and the bytes: the engine hands messages to a {@link WireFormat} and
 * gets messages back. The Parley binary format lives behind it; another dialect (msgpack-rpc, say)
 * can be added as another implementation without touching the engine.
 */
import { LengthFieldDecoder } from "@parley/framing";
import { type BodyCodec, FrameEncoder } from "./frame-encoder.js";
import { FrameParser } from "./frame-parser.js";
import type { Frame } from "./split-frame.js";
import type { Message } from "./wire-messages.js";

/** Turns messages into frames and bytes into messages, for one connection. */
export interface WireFormat {
  /** Name of the format, for diagnostics. */
  readonly name: string;
  /** Bytes every frame carries besides its payload (the length prefix). */
  readonly frameOverheadBytes: number;
  /**
   * One complete frame for `message`, never split: write it whole.
   * @throws {InvalidOptionError} INVALID_OPTION when a name or metadata breaks its size rule.
   * @throws whatever the codec throws for a body it cannot encode.
   */
  encode(message: Message): Uint8Array;
  /**
   * The frame for `message` as the engine queues it: one buffer, or a `SplitFrame` whose large
   * byte-string body is the caller's own bytes (written right after its head, not copied).
   * @throws as {@link WireFormat.encode}.
   */
  encodeFrame(message: Message): Frame;
  /**
   * Feeds received bytes; calls `onMessage` for each complete message, in order.
   * @throws {ProtocolError} PROTOCOL_ERROR for a malformed frame; framing errors (FRAME_TOO_LARGE...)
   *   for a corrupt stream. Either is fatal to the connection.
   */
  push(chunk: Uint8Array, onMessage: (message: Message) => void): void;
}

/** Options of {@link createBinaryWireFormat}. */
export interface BinaryWireFormatOptions {
  /** Largest frame payload accepted on receipt, in bytes. */
  readonly maxFrameBytes: number;
}

/** The Parley binary wire format of docs/protocol.md over `codec`. */
export function createBinaryWireFormat(
  codec: BodyCodec,
  options: BinaryWireFormatOptions,
): WireFormat {
  return new BinaryWireFormat(codec, options);
}

class BinaryWireFormat implements WireFormat {
  readonly name = "parley-binary/1";
  readonly frameOverheadBytes: number;
  private readonly encoder: FrameEncoder;
  private readonly parser: FrameParser;
  private readonly decoder: LengthFieldDecoder;
  private onMessage: (message: Message) => void = ignore;
  // Bound once: the decoder calls it for every frame.
  private readonly onFrame = (frame: Uint8Array): void => {
    this.onMessage(this.parser.parse(frame));
  };

  constructor(codec: BodyCodec, options: BinaryWireFormatOptions) {
    this.encoder = new FrameEncoder(codec);
    this.parser = new FrameParser(codec);
    this.decoder = new LengthFieldDecoder({ maxFrameBytes: options.maxFrameBytes });
    this.frameOverheadBytes = this.encoder.prefixBytes;
  }

  encode(message: Message): Uint8Array {
    return this.encoder.encode(message);
  }

  encodeFrame(message: Message): Frame {
    return this.encoder.encodeFrame(message);
  }

  push(chunk: Uint8Array, onMessage: (message: Message) => void): void {
    this.onMessage = onMessage;
    this.decoder.push(chunk, this.onFrame);
  }
}

function ignore(): void {}
