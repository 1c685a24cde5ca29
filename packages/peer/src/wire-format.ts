/**
 * The seam between the engine and the bytes: the engine hands messages to a {@link WireFormat} and
 * gets messages back. The Parley binary format lives behind it; another dialect (msgpack-rpc, say)
 * can be added as another implementation without touching the engine.
 */
import type { Codec } from "@parley/codec";
import { type FrameSpan, LengthFieldDecoder } from "@parley/framing";
import { MessageTooLargeError } from "./errors.js";
import { FrameEncoder } from "./frame-encoder.js";
import { FrameParser } from "./frame-parser.js";
import type { Frame } from "./split-frame.js";
import { KIND_NAMES, Kind, MAX_HELLO_BYTES } from "./wire-constants.js";
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
   * The frame for a Request, Signal or Response as the engine queues it: one buffer, or a
   * `SplitFrame` whose large byte-string body is the caller's own bytes (written right after its
   * head, not copied).
   * @throws {MessageTooLargeError} MESSAGE_TOO_LARGE when its payload is larger than the remote's
   *   maxFrameBytes ({@link frameTooLarge} words it).
   * @throws as {@link WireFormat.encode}.
   * @param alloc where a Request, Response or Data frame goes when its byte-string body is copied
   *   (FrameEncoder).
   */
  encodeFrame(message: Message, alloc?: (bytes: number) => Uint8Array): Frame;
  /**
   * The remote's maxFrameBytes, from its Hello: {@link WireFormat.encodeFrame} refuses larger
   * payloads from now on. Until it is known, MAX_HELLO_BYTES.
   */
  setRemoteMaxFrameBytes(bytes: number): void;
  /**
   * Feeds received bytes; calls `onMessage` for each complete message, in order, with the size of
   * its frame's payload (what stream credit counts, docs/protocol.md §12.3).
   * @throws {ProtocolError} PROTOCOL_ERROR for a malformed frame; framing errors (FRAME_TOO_LARGE...)
   *   for a corrupt stream. Either is fatal to the connection.
   */
  push(chunk: Uint8Array, onMessage: (message: Message, payloadBytes: number) => void): void;
  /** Where the next read should go to complete a large frame in place (`ConnectionHandlers`). */
  readTarget?(minBytes: number, next?: Uint8Array): Uint8Array | undefined;
  /**
   * Accepts the stream frames of protocol 1.1 from now on (MORE, Data, Credit); until then they
   * are protocol errors. For a stream session: both Hellos say 1.1 and carry stream windows
   * (docs/protocol.md §12.2); the engine does not open one yet. A format without it carries no
   * streams.
   */
  enableStreams?(): void;
  /**
   * SHA-256 of the payload of the last Hello received, exactly as its bytes arrived: the remote's
   * part of the transcript a 1.2 proof covers (docs/protocol.md §5). A format without it cannot
   * prove a shared secret (`authSecrets` is then refused).
   */
  lastHelloDigest?(): Uint8Array | undefined;
}

/** Options of a {@link WireFormatFactory}. */
export interface WireFormatOptions {
  /** Largest frame payload accepted on receipt, in bytes. */
  readonly maxFrameBytes: number;
  /**
   * Accept the stream frames of protocol 1.1 from the start (see {@link WireFormat.enableStreams}).
   * @default false
   */
  readonly streams?: boolean | undefined;
  /**
   * Keep the SHA-256 of each received Hello for {@link WireFormat.lastHelloDigest}: needed only to
   * prove a shared secret, so the engine asks for it only with `authSecrets`. @default true
   */
  readonly helloDigests?: boolean | undefined;
}

/** Options of {@link createBinaryWireFormat}. */
export type BinaryWireFormatOptions = WireFormatOptions;

/** Makes the wire format of one connection (it keeps that connection's partial frames). */
export type WireFormatFactory = (codec: Codec, options: WireFormatOptions) => WireFormat;

/** The Parley binary wire format of docs/protocol.md over `codec`: the default of `createPeer`. */
export function createBinaryWireFormat(codec: Codec, options: BinaryWireFormatOptions): WireFormat {
  return new BinaryWireFormat(codec, options);
}

/**
 * The error for a Request, Signal or Response whose payload (`payloadBytes`) is larger than the
 * remote's maxFrameBytes. Each wire format calls it from its own `encodeFrame`.
 */
export function frameTooLarge(
  message: Message,
  payloadBytes: number,
  remoteMaxFrameBytes: number,
): MessageTooLargeError {
  const size = `encodes to a ${payloadBytes}-byte frame, more than the`;
  if (message.kind === Kind.Response) {
    return new MessageTooLargeError(
      `the response ${size} caller's maxFrameBytes (${remoteMaxFrameBytes}); raise maxFrameBytes ` +
        "on the calling peer",
    );
  }
  const what =
    message.kind === Kind.Request
      ? `request ${message.method}`
      : message.kind === Kind.Signal
        ? `signal ${message.name}`
        : KIND_NAMES[message.kind];
  return new MessageTooLargeError(
    `${what} ${size} remote's maxFrameBytes (${remoteMaxFrameBytes}); raise maxFrameBytes on the ` +
      "remote or send less",
  );
}

class BinaryWireFormat implements WireFormat {
  readonly name = "parley-binary/1";
  readonly frameOverheadBytes: number;
  private readonly encoder: FrameEncoder;
  private readonly parser: FrameParser;
  private readonly decoder: LengthFieldDecoder;
  private onMessage: (message: Message, payloadBytes: number) => void = ignore;
  private remoteMaxFrameBytes = MAX_HELLO_BYTES;
  // Bound once: the decoder calls it for every frame, which the parser reads in place.
  private readonly onSpan = (span: FrameSpan): void => {
    this.onMessage(this.parser.parseSpan(span), span.end - span.start);
  };

  constructor(codec: Codec, options: BinaryWireFormatOptions) {
    this.encoder = new FrameEncoder(codec);
    this.parser = new FrameParser(codec, options.helloDigests !== false);
    if (options.streams === true) this.parser.enableStreams();
    this.decoder = new LengthFieldDecoder({ maxFrameBytes: options.maxFrameBytes });
    this.frameOverheadBytes = this.encoder.prefixBytes;
  }

  encode(message: Message): Uint8Array {
    return this.encoder.encode(message);
  }

  encodeFrame(message: Message, alloc?: (bytes: number) => Uint8Array): Frame {
    const frame = this.encoder.encodeFrame(message, alloc);
    const payloadBytes = this.encoder.payloadBytes; // a number, not a Frame's length getter
    if (payloadBytes > this.remoteMaxFrameBytes) {
      throw frameTooLarge(message, payloadBytes, this.remoteMaxFrameBytes);
    }
    return frame;
  }

  setRemoteMaxFrameBytes(bytes: number): void {
    this.remoteMaxFrameBytes = bytes;
  }

  push(chunk: Uint8Array, onMessage: (message: Message, payloadBytes: number) => void): void {
    this.onMessage = onMessage;
    this.decoder.pushSpans(chunk, this.onSpan);
  }

  readTarget(minBytes: number, next?: Uint8Array): Uint8Array | undefined {
    return this.decoder.readTarget(minBytes, next);
  }

  enableStreams(): void {
    this.parser.enableStreams();
  }

  lastHelloDigest(): Uint8Array | undefined {
    return this.parser.lastHelloDigest;
  }
}

function ignore(): void {}
