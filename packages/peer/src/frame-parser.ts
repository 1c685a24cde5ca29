/**
 * Frame payload -> message, for the Parley binary wire format (docs/protocol.md). A malformed header
 * is a {@link ProtocolError} (fatal: the stream can no longer be trusted); a body the codec cannot
 * decode is reported on the message (`bodyError`) so that only that call fails.
 */

import type { Codec } from "@parley/codec";
import type { FrameSpan } from "@parley/framing";
import { parseAuth } from "./auth-frame.js";
import { helloDigest } from "./auth-proof.js";
import { NameStringCache } from "./byte-strings.js";
import type { StreamCredit } from "./credit-window.js";
import { ProtocolError } from "./errors.js";
import { FrameReader, hex, readU32 } from "./frame-reader.js";
import { readMembersBlock } from "./hello-members.js";
import {
  COMMON_HEADER_BYTES,
  CreditStream,
  Flag,
  HELLO_MAGIC,
  HelloAckStatus,
  KIND_NAMES,
  Kind,
  KNOWN_FLAGS,
  ResponseStatus,
  STREAM_FLAGS,
  STREAM_KINDS,
} from "./wire-constants.js";
import type {
  ContractId,
  CreditMessage,
  DataMessage,
  HelloAckMessage,
  HelloMessage,
  Message,
  RequestMessage,
  ResponseMessage,
} from "./wire-messages.js";

/** Metadata keys a parser keeps decoded (at most 255 bytes each). */
const METADATA_KEYS_KEPT = 64;
/** Kinds that may set the METADATA flag. */
const CARRIES_METADATA: ReadonlySet<number> = new Set([Kind.Hello, Kind.Request, Kind.Signal]);
/** Kinds that may set the MORE flag (1.1, streams). */
const CARRIES_MORE: ReadonlySet<number> = new Set([Kind.Request, Kind.Response, Kind.Data]);

/** Parses frame payloads (the bytes after the length prefix) into messages. One per connection. */
export class FrameParser {
  private bodyError: Error | undefined;
  /** Method and signal names: a few, repeated on every frame. */
  private readonly names = new NameStringCache();
  /**
   * Metadata keys (`traceparent`, ...): a few, repeated, in a cache of their own so that keys a
   * remote varies never push method names out. A key read from the cache is one string already
   * used as a property name; decoding it anew made V8 hash it on every store, 1.5 µs of a block's
   * 1.9 (a million blocks with one `traceparent`, timed in one loop).
   */
  private readonly metadataKeys = new NameStringCache(METADATA_KEYS_KEPT);
  /** Flag bits accepted: METADATA, and MORE once streams are enabled. */
  private knownFlags: number = KNOWN_FLAGS;
  /** SHA-256 of the last Hello's payload as received (§5), when `digestHellos`. */
  lastHelloDigest: Uint8Array | undefined;

  /** The codec's `bytesStart`, bound, when it has one. */
  private readonly bytesStart:
    | ((bytes: Uint8Array, start: number, end: number) => number)
    | undefined;

  constructor(
    private readonly codec: Codec,
    private readonly digestHellos = true,
  ) {
    this.bytesStart = codec.bytesStart?.bind(codec);
  }

  /** True once {@link enableStreams} was called. */
  get streams(): boolean {
    return this.knownFlags === STREAM_FLAGS;
  }

  /**
   * Accepts the stream frames of protocol 1.1 from now on: the MORE flag, Data and Credit. Called
   * once both Hellos say 1.1; before that (and in a 1.0 session) they are protocol errors.
   */
  enableStreams(): void {
    this.knownFlags = STREAM_FLAGS;
  }

  /**
   * The message in `payload`. Body values never alias `payload` beyond what the codec does.
   * @throws {ProtocolError} PROTOCOL_ERROR when the header is malformed.
   */
  parse(payload: Uint8Array): Message {
    const span = {
      bytes: payload,
      buffer: payload.buffer,
      byteOffset: payload.byteOffset,
      start: 0,
      end: payload.length,
    };
    return this.parseSpan(span);
  }

  /**
   * The message whose payload is `span.bytes[span.start, span.end)`, read in place: no view of
   * the payload is made, only of a byte-string body (see {@link body}).
   * @throws as {@link parse}.
   */
  parseSpan(span: FrameSpan): Message {
    const { bytes, start, end } = span;
    if (end - start < COMMON_HEADER_BYTES) {
      throw new ProtocolError(`frame of ${end - start} bytes is shorter than the 6-byte header`);
    }
    const kind = bytes[start]!;
    const flags = bytes[start + 1]!;
    if (flags !== 0) this.checkFlags(kind, flags);
    const id = readU32(bytes, start + 2);
    const r = new FrameReader(bytes, start, start + COMMON_HEADER_BYTES, end, kind);
    switch (kind) {
      case Kind.Request:
        return this.parseRequest(span, r, id, flags);
      case Kind.Response:
        return this.parseResponse(span, r, id, flags);
      case Kind.Signal: {
        const name = r.name(this.names);
        const metadata = flags & Flag.Metadata ? r.metadata(this.metadataKeys) : undefined;
        const body = this.body(span, r.at);
        return { kind, name, metadata, body, bodyError: this.takeBodyError() };
      }
      case Kind.Cancel:
      case Kind.Ping:
      case Kind.Pong:
        return { kind, id };
      case Kind.Bye:
        return { kind, lastAcceptedId: id };
      case Kind.ByeAck:
        return { kind };
      case Kind.Hello:
        if (this.digestHellos) this.lastHelloDigest = helloDigest(bytes.subarray(start, end));
        return parseHello(r, (flags & Flag.Metadata) !== 0);
      case Kind.Auth:
        return parseAuth(r);
      case Kind.HelloAck:
        return parseHelloAck(r);
      case Kind.Data:
        if (!this.streams) throw this.outOfVersion(kind, flags);
        return this.parseData(span, id, (flags & Flag.More) !== 0);
      case Kind.Credit:
        if (!this.streams) throw this.outOfVersion(kind, flags);
        return parseCredit(r, id);
      default:
        throw new ProtocolError(`unknown frame kind 0x${hex(kind)}`);
    }
  }

  /** Flags this side does not accept, or on a kind that never carries them. */
  private checkFlags(kind: number, flags: number): void {
    if ((flags & ~this.knownFlags) !== 0) throw this.outOfVersion(kind, flags);
    if (flags & Flag.More && !CARRIES_MORE.has(kind)) {
      throw new ProtocolError(`${KIND_NAMES[kind] ?? "frame"} frames never set MORE`);
    }
    if (flags & Flag.Metadata && !CARRIES_METADATA.has(kind)) {
      throw new ProtocolError(`${KIND_NAMES[kind] ?? "frame"} frames carry no metadata in 1.0`);
    }
  }

  private parseRequest(span: FrameSpan, r: FrameReader, id: number, flags: number): RequestMessage {
    const timeoutMs = r.u32();
    const method = r.name(this.names);
    const metadata = flags & Flag.Metadata ? r.metadata(this.metadataKeys) : undefined;
    const body = this.body(span, r.at);
    const more = flags & Flag.More ? true : undefined;
    const kind = Kind.Request;
    return { kind, id, timeoutMs, method, metadata, body, bodyError: this.takeBodyError(), more };
  }

  private parseResponse(
    span: FrameSpan,
    r: FrameReader,
    id: number,
    flags: number,
  ): ResponseMessage {
    const status = r.u8();
    if (status > ResponseStatus.Rejected) {
      throw new ProtocolError(`Response ${id} has unknown status 0x${hex(status)}`);
    }
    if (flags & Flag.Metadata) throw new ProtocolError("Response frames carry no metadata in 1.0");
    const more = flags & Flag.More ? true : undefined;
    if (more && status !== ResponseStatus.Ok) {
      throw new ProtocolError(
        `Response ${id} sets MORE on status 0x${hex(status)}: only OK items do`,
      );
    }
    const body = this.body(span, r.at);
    const kind = Kind.Response;
    return { kind, id, status, body, bodyError: this.takeBodyError(), more } as ResponseMessage;
  }

  /**
   * Decodes the body from `at` to the span's end (empty: `undefined`); a failure is kept for
   * {@link takeBodyError}. A byte-string body the codec would return as a view of its bytes is
   * made that view here, from the span's buffer and offset: one typed array per frame, where a
   * view of the payload and then of the body took two.
   */
  private body(span: FrameSpan, at: number): unknown {
    const end = span.end;
    if (at === end) return undefined;
    const codec = this.codec;
    try {
      const content = this.bytesStart === undefined ? -1 : this.bytesStart(span.bytes, at, end);
      if (content >= 0)
        return new Uint8Array(span.buffer, span.byteOffset + content, end - content);
      const bytes = span.bytes;
      if (codec.decodeRange !== undefined) return codec.decodeRange(bytes, at, end);
      // decodeFrom reads to the end of `bytes`: only a body that ends there can go to it.
      if (codec.decodeFrom !== undefined && end === bytes.length)
        return codec.decodeFrom(bytes, at);
      return codec.decode(bytes.subarray(at, end));
    } catch (error) {
      // Kept aside rather than returned in a wrapper object: this runs for every message.
      this.bodyError = error instanceof Error ? error : new Error(String(error));
      return undefined;
    }
  }

  /** Data (1.1): an item with MORE, or an empty end of input without it. */
  private parseData(span: FrameSpan, id: number, more: boolean): DataMessage {
    if (!more && span.end - span.start > COMMON_HEADER_BYTES) {
      throw new ProtocolError(`Data ${id} ends the input (MORE clear) but carries a body`);
    }
    const body = this.body(span, span.start + COMMON_HEADER_BYTES);
    return { kind: Kind.Data, id, more, body, bodyError: this.takeBodyError() };
  }

  /** A stream frame or flag before streams were agreed, or a reserved flag bit. */
  private outOfVersion(kind: number, flags: number): ProtocolError {
    const name = KIND_NAMES[kind] ?? "frame";
    if (STREAM_KINDS.has(kind) || (flags & ~this.knownFlags) === Flag.More) {
      return new ProtocolError(
        `${name} (kind 0x${hex(kind)}, flags 0x${hex(flags)}) belongs to streams, which need ` +
          "protocol 1.1 on both sides; this session has not agreed on them",
      );
    }
    return new ProtocolError(`${name} has reserved flag bits set (0x${hex(flags)})`);
  }

  private takeBodyError(): Error | undefined {
    const error = this.bodyError;
    this.bodyError = undefined;
    return error;
  }
}

function parseHello(r: FrameReader, hasMetadata: boolean): HelloMessage {
  for (const byte of HELLO_MAGIC) {
    if (r.u8() !== byte) {
      throw new ProtocolError('Hello does not start with the magic "PRLY": not a Parley peer');
    }
  }
  const major = r.u8();
  const minor = r.u8();
  const codec = r.str8();
  const serves = readContractId(r);
  const calls = readContractId(r);
  const maxFrameBytes = r.u32();
  const maxConcurrentRequests = r.u32();
  const heartbeatIntervalMs = r.u32();
  const heartbeatTimeoutMs = r.u32();
  const token = r.str16();
  const metadata = hasMetadata ? r.metadata() : undefined;
  // 1.1 appends the member tables; a 1.1 Hello cut short after the 1.0 fields advertises none.
  const members = minor >= 1 && r.remaining > 0 ? readMembersBlock(r) : undefined;
  // Then the stream windows: a Hello that ends before them offers no streams (§12.2).
  const streamWindow = minor >= 1 && r.remaining > 0 ? readStreamWindow(r) : undefined;
  // Bytes after the known fields are extensions of later minor versions: ignored.
  return {
    kind: Kind.Hello,
    major,
    minor,
    codec,
    serves,
    calls,
    maxFrameBytes,
    maxConcurrentRequests,
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    authToken: token === "" ? undefined : token,
    metadata,
    servesMembers: members?.serves,
    callsMembers: members?.calls,
    streamWindow,
  };
}

/** 1.1 Hello: both windows, each at least 1 (a zero window could never carry an item). */
function readStreamWindow(r: FrameReader): StreamCredit {
  const items = r.u32();
  const bytes = r.u32();
  if (items === 0 || bytes === 0) {
    throw new ProtocolError(
      `Hello advertises a zero stream window (${items} items, ${bytes} bytes); both must be at least 1`,
    );
  }
  return { items, bytes };
}

/** Credit (1.1): stream u8, items u32, bytes u32; later bytes are extensions, ignored. */
function parseCredit(r: FrameReader, id: number): CreditMessage {
  const stream = r.u8();
  if (stream !== CreditStream.Outputs && stream !== CreditStream.Inputs) {
    throw new ProtocolError(`Credit ${id} names unknown stream 0x${hex(stream)}`);
  }
  return { kind: Kind.Credit, id, stream, items: r.u32(), bytes: r.u32() };
}

function parseHelloAck(r: FrameReader): HelloAckMessage {
  const status = r.u8();
  if (status === HelloAckStatus.Accept) return { kind: Kind.HelloAck, accepted: true };
  if (status !== HelloAckStatus.Refuse) {
    throw new ProtocolError(`HelloAck has unknown status 0x${hex(status)}`);
  }
  return { kind: Kind.HelloAck, accepted: false, code: r.str8(), message: r.str16() };
}

function readContractId(r: FrameReader): ContractId | undefined {
  const name = r.str8();
  const version = r.str8();
  const fingerprint = r.str8();
  return name === "" ? undefined : { name, version, fingerprint };
}
