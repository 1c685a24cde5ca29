/**
 * Message -> frame, for the Parley binary wire format (docs/protocol.md). Each frame comes out as
 * ONE buffer: the length prefix and header are written into room the codec reserved in front of the
 * body, so nothing is copied and a frame can never be split across writes.
 */
import { Buffer } from "node:buffer";
import { type Codec, MAX_RESERVE_BYTES } from "@parley/codec";
import { slabBytes } from "@parley/codec/internal";
import { FrameTooLargeError, InvalidOptionError } from "@parley/framing";
import { authFields } from "./auth-frame.js";
import { NameBytesCache } from "./byte-strings.js";
import { helloAckFields, helloFields } from "./field-writer.js";
import { encodeMetadata } from "./metadata-block.js";
import { type Frame, SplitFrame } from "./split-frame.js";
import { COMMON_HEADER_BYTES, Flag, Kind, MAX_STR8_BYTES, PREFIX_BYTES } from "./wire-constants.js";
import type {
  CreditMessage,
  DataMessage,
  HelloAckMessage,
  HelloMessage,
  Message,
  RequestMessage,
  ResponseMessage,
  SignalMessage,
} from "./wire-messages.js";

/** The largest payload the u32 length prefix can state. */
const MAX_PAYLOAD_BYTES = 0xffff_ffff;

/** Encodes messages into complete frames (length prefix included). One per connection. */
export class FrameEncoder {
  /** Bytes of the length prefix in front of every payload: a u32, big-endian (docs/protocol.md). */
  readonly prefixBytes = PREFIX_BYTES;
  /** Payload bytes of the frame encoded last (what the remote's maxFrameBytes bounds). */
  payloadBytes = 0;
  private readonly names = new NameBytesCache();
  /**
   * The caller's bytes the frame being encoded carries after its head, when the codec sends them
   * uncopied: set by {@link withBody}, taken by {@link finish}. A field rather than a returned
   * pair, so the common frame (one buffer) is built and measured with no allocation and no
   * type test.
   */
  private splitBody: Uint8Array | undefined = undefined;

  /** The codec, when it lays out byte strings itself (both `bytesSize` and `writeBytes`). */
  private readonly bytesCodec: Required<Pick<Codec, "bytesSize" | "writeBytes">> | undefined;

  constructor(private readonly codec: Codec) {
    const laysOutBytes =
      typeof codec.bytesSize === "function" && typeof codec.writeBytes === "function";
    this.bytesCodec = laysOutBytes ? (codec as Required<Codec>) : undefined;
  }

  /**
   * The complete frame for `message`.
   * @throws {InvalidOptionError} INVALID_OPTION when a name or metadata entry breaks its size rule.
   * @throws whatever the codec throws for a body it cannot encode.
   */
  encode(message: Message): Uint8Array {
    const frame = this.encodeFrame(message);
    return frame instanceof SplitFrame ? frame.joined() : frame;
  }

  /**
   * The frame for `message`, as the engine writes it: like {@link encode}, except that a Request,
   * Response or Signal whose body the codec sends without a copy (a large byte string) comes back
   * as a {@link SplitFrame} holding the caller's bytes. `alloc`, when given, is where a Request,
   * Response or Data frame is laid out when its body is a byte string the codec copies
   * (`Codec.bytesSize`): the connection's reusable frame memory (frame-slabs.ts).
   * @throws as {@link encode}.
   */
  encodeFrame(message: Message, alloc?: (bytes: number) => Uint8Array): Frame {
    switch (message.kind) {
      case Kind.Request:
        return this.encodeRequest(message, alloc);
      case Kind.Response:
        return this.encodeResponse(message, alloc);
      case Kind.Signal:
        return this.encodeSignal(message);
      case Kind.Cancel:
      case Kind.Ping:
      case Kind.Pong:
        return this.encodeControl(message.kind, message.id);
      case Kind.Bye:
        return this.encodeControl(Kind.Bye, message.lastAcceptedId);
      case Kind.ByeAck:
        return this.encodeControl(Kind.ByeAck, 0);
      case Kind.Hello:
        return this.encodeHello(message);
      case Kind.HelloAck:
        return this.encodeHelloAck(message);
      case Kind.Data:
        return this.encodeData(message, alloc);
      case Kind.Credit:
        return this.encodeCredit(message);
      case Kind.Auth:
        return this.headed(Kind.Auth, false, authFields(message));
    }
  }

  /** Request: timeoutMs u32, method str8, [metadata], body; MORE when an input stream follows (1.1). */
  encodeRequest(m: RequestMessage, alloc?: (bytes: number) => Uint8Array): Frame {
    const name = this.name(m.method, "method name");
    const meta = m.metadata === undefined ? undefined : encodeMetadata(m.metadata);
    const head = PREFIX_BYTES + COMMON_HEADER_BYTES + 5 + name.length + (meta?.length ?? 0);
    const frame = this.withBody(m.body, head, alloc);
    const flags = flagsFor(meta) | (m.more === true ? Flag.More : 0);
    let p = this.header(frame, Kind.Request, flags, m.id);
    p = writeU32(frame, p, m.timeoutMs);
    p = writeBytes8(frame, p, name);
    if (meta !== undefined) frame.set(meta, p);
    return this.finish(frame);
  }

  /** Response: status u8, body; MORE for an item (1.1). */
  encodeResponse(m: ResponseMessage, alloc?: (bytes: number) => Uint8Array): Frame {
    const frame = this.withBody(m.body, PREFIX_BYTES + COMMON_HEADER_BYTES + 1, alloc);
    const p = this.header(frame, Kind.Response, m.more === true ? Flag.More : 0, m.id);
    frame[p] = m.status;
    return this.finish(frame);
  }

  /**
   * Data (1.1): an item as the body with MORE set, or the end of input: MORE clear, no body.
   * @throws {InvalidOptionError} INVALID_OPTION for an end of input that carries a body.
   */
  encodeData(m: DataMessage, alloc?: (bytes: number) => Uint8Array): Frame {
    if (!m.more && m.body !== undefined) {
      throw new InvalidOptionError("a Data frame ending the input (more: false) carries no body");
    }
    const frame = this.withBody(m.body, PREFIX_BYTES + COMMON_HEADER_BYTES, alloc);
    this.header(frame, Kind.Data, m.more ? Flag.More : 0, m.id);
    return this.finish(frame);
  }

  /** Credit (1.1): stream u8, items u32, bytes u32. */
  encodeCredit(m: CreditMessage): Uint8Array {
    const frame = Buffer.allocUnsafe(PREFIX_BYTES + COMMON_HEADER_BYTES + 9);
    let p = this.header(frame, Kind.Credit, 0, m.id);
    frame[p++] = m.stream;
    p = writeU32(frame, p, m.items);
    writeU32(frame, p, m.bytes);
    return this.prefixed(frame);
  }

  /** Signal: name str8, [metadata], body. */
  encodeSignal(m: SignalMessage): Frame {
    const name = this.name(m.name, "signal name");
    const meta = m.metadata === undefined ? undefined : encodeMetadata(m.metadata);
    const head = PREFIX_BYTES + COMMON_HEADER_BYTES + 1 + name.length + (meta?.length ?? 0);
    const frame = this.withBody(m.body, head);
    const p = writeBytes8(frame, this.header(frame, Kind.Signal, flagsFor(meta), 0), name);
    if (meta !== undefined) frame.set(meta, p);
    return this.finish(frame);
  }

  /** Frames made of the common header alone: Cancel, Ping, Pong, Bye, ByeAck. */
  encodeControl(kind: Kind, id: number): Uint8Array {
    const frame = Buffer.allocUnsafe(PREFIX_BYTES + COMMON_HEADER_BYTES);
    this.header(frame, kind, 0, id);
    return this.prefixed(frame);
  }

  private encodeHello(m: HelloMessage): Uint8Array {
    return this.headed(Kind.Hello, m.metadata !== undefined, helloFields(m));
  }

  private encodeHelloAck(m: HelloAckMessage): Uint8Array {
    return this.headed(Kind.HelloAck, false, helloAckFields(m));
  }

  /** Common header + `fields`, for the rare frames whose fields field-writer.ts lays out. */
  private headed(kind: Kind, hasMetadata: boolean, fields: Uint8Array): Uint8Array {
    const frame = Buffer.allocUnsafe(PREFIX_BYTES + COMMON_HEADER_BYTES + fields.length);
    const p = this.header(frame, kind, hasMetadata ? Flag.Metadata : 0, 0);
    frame.set(fields, p);
    return this.prefixed(frame);
  }

  /**
   * A buffer of `head` free bytes followed by the encoded body (an `undefined` body is empty). When
   * the codec sends the body without a copy, the buffer is the frame's head alone (`head` bytes
   * and the body's own header), and the body waits in {@link splitBody} for {@link finish}.
   *
   * A byte string the codec copies (`Codec.bytesSize`: the body of most stream items and of
   * byte-payload calls) is written straight behind the head, in `alloc`'s memory or a slab's,
   * without the codec's general entry points, whose calls and checks cost 4-14% of a 1 KiB stream
   * item's whole trip. The head's bytes are left for the caller, who writes every one.
   */
  private withBody(body: unknown, head: number, alloc?: (bytes: number) => Uint8Array): Uint8Array {
    this.splitBody = undefined;
    if (body === undefined) return Buffer.allocUnsafe(head);
    const bytesCodec = this.bytesCodec;
    const size = bytesCodec === undefined ? -1 : bytesCodec.bytesSize(body);
    if (size >= 0) {
      const frame = (alloc ?? slabBytes)(head + size);
      bytesCodec!.writeBytes(body as Uint8Array, frame, head);
      return frame;
    }
    if (head <= MAX_RESERVE_BYTES) {
      const parts = this.codec.encodeParts?.(body, head);
      if (parts === undefined || parts.length !== 2) return this.codec.encodeReserved(body, head);
      this.splitBody = parts[1]!;
      return parts[0]!;
    }
    // Long names or large metadata: the codec cannot reserve that much, so copy the body once.
    const encoded = this.codec.encode(body);
    const frame = Buffer.allocUnsafe(head + encoded.length);
    frame.set(encoded, head);
    return frame;
  }

  /** Writes kind, flags and id after the prefix; returns the offset after them. */
  private header(frame: Uint8Array, kind: Kind, flags: number, id: number): number {
    const p = PREFIX_BYTES;
    frame[p] = kind;
    frame[p + 1] = flags;
    return writeU32(frame, p + 2, id);
  }

  /**
   * Writes the length prefix of `frame` (with the body {@link withBody} left aside, if any) and
   * returns the whole frame. Lengths are read with `length`, not `byteLength`: the same number for
   * a Uint8Array, and several times cheaper to read in V8.
   */
  private finish(frame: Uint8Array): Frame {
    if (this.splitBody === undefined) return this.prefixed(frame);
    const body = this.splitBody;
    this.splitBody = undefined;
    this.writePrefix(frame, frame.length - PREFIX_BYTES + body.length);
    return new SplitFrame(frame, body);
  }

  /** Writes the length prefix of `frame`, a whole frame in one buffer, and returns it. */
  private prefixed(frame: Uint8Array): Uint8Array {
    this.writePrefix(frame, frame.length - PREFIX_BYTES);
    return frame;
  }

  /** The u32 prefix; a payload past its range (Node 22 and later allow larger buffers) throws. */
  private writePrefix(frame: Uint8Array, payloadBytes: number): void {
    if (payloadBytes > MAX_PAYLOAD_BYTES) {
      const details = { declaredBytes: payloadBytes, maxFrameBytes: MAX_PAYLOAD_BYTES };
      throw new FrameTooLargeError({ ...details, direction: "encode" });
    }
    this.payloadBytes = payloadBytes;
    writeU32(frame, 0, payloadBytes);
  }

  private name(text: string, what: string): Uint8Array {
    const bytes = this.names.get(text);
    if (bytes.length === 0 || bytes.length > MAX_STR8_BYTES) {
      throw new InvalidOptionError(
        `${what} must be 1 to ${MAX_STR8_BYTES} bytes of UTF-8 (got ${bytes.length}: "${text.slice(0, 40)}")`,
      );
    }
    return bytes;
  }
}

function flagsFor(meta: Uint8Array | undefined): number {
  return meta === undefined ? 0 : Flag.Metadata;
}

/** Writes `value` as u32 big-endian at `p`; returns `p + 4`. */
export function writeU32(target: Uint8Array, p: number, value: number): number {
  target[p] = value >>> 24;
  target[p + 1] = (value >>> 16) & 0xff;
  target[p + 2] = (value >>> 8) & 0xff;
  target[p + 3] = value & 0xff;
  return p + 4;
}

function writeBytes8(target: Uint8Array, p: number, bytes: Uint8Array): number {
  target[p] = bytes.length;
  for (let i = 0; i < bytes.length; i++) target[p + 1 + i] = bytes[i]!;
  return p + 1 + bytes.length;
}
