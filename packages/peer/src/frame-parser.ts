/**
 * Frame payload -> message, for the Parley binary wire format (docs/protocol.md). A malformed header
 * is a {@link ProtocolError} (fatal: the stream can no longer be trusted); a body the codec cannot
 * decode is reported on the message (`bodyError`) so that only that call fails.
 */

import type { Codec } from "@parley/codec";
import { type AuthReader, parseAuth } from "./auth-frame.js";
import { helloDigest } from "./auth-proof.js";
import { NameStringCache, readUtf8 } from "./byte-strings.js";
import type { StreamCredit } from "./credit-window.js";
import { ProtocolError } from "./errors.js";
import { type MemberReader, readMembersBlock } from "./hello-members.js";
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
  Metadata,
  ResponseMessage,
} from "./wire-messages.js";

/** Kinds that may set the METADATA flag. */
const CARRIES_METADATA: ReadonlySet<number> = new Set([Kind.Hello, Kind.Request, Kind.Signal]);
/** Kinds that may set the MORE flag (1.1, streams). */
const CARRIES_MORE: ReadonlySet<number> = new Set([Kind.Request, Kind.Response, Kind.Data]);

/** Parses frame payloads (the bytes after the length prefix) into messages. One per connection. */
export class FrameParser {
  private bodyError: Error | undefined;
  /** Method and signal names: a few, repeated on every frame. */
  private readonly names = new NameStringCache();
  /** Flag bits accepted: METADATA, and MORE once streams are enabled. */
  private knownFlags: number = KNOWN_FLAGS;
  /** SHA-256 of the last Hello's payload as received (§5), when `digestHellos`. */
  lastHelloDigest: Uint8Array | undefined;

  constructor(
    private readonly codec: Codec,
    private readonly digestHellos = true,
  ) {}

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
    if (payload.length < COMMON_HEADER_BYTES) {
      throw new ProtocolError(`frame of ${payload.length} bytes is shorter than the 6-byte header`);
    }
    const kind = payload[0]!;
    const flags = payload[1]!;
    if (flags !== 0) this.checkFlags(kind, flags);
    const id = readU32(payload, 2);
    const r = new Reader(payload, COMMON_HEADER_BYTES, kind);
    switch (kind) {
      case Kind.Request: {
        const timeoutMs = r.u32();
        const method = r.name(this.names);
        const metadata = flags & Flag.Metadata ? r.metadata() : undefined;
        const body = this.body(payload, r.at);
        const more = flags & Flag.More ? true : undefined;
        return {
          kind,
          id,
          timeoutMs,
          method,
          metadata,
          body,
          bodyError: this.takeBodyError(),
          more,
        };
      }
      case Kind.Response:
        return this.parseResponse(payload, r, id, flags);
      case Kind.Signal: {
        const name = r.name(this.names);
        const metadata = flags & Flag.Metadata ? r.metadata() : undefined;
        const body = this.body(payload, r.at);
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
        if (this.digestHellos) this.lastHelloDigest = helloDigest(payload);
        return parseHello(r, (flags & Flag.Metadata) !== 0);
      case Kind.Auth:
        return parseAuth(r);
      case Kind.HelloAck:
        return parseHelloAck(r);
      case Kind.Data:
        if (!this.streams) throw this.outOfVersion(kind, flags);
        return this.parseData(payload, id, (flags & Flag.More) !== 0);
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

  private parseResponse(
    payload: Uint8Array,
    r: Reader,
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
    const body = this.body(payload, r.at);
    const kind = Kind.Response;
    return { kind, id, status, body, bodyError: this.takeBodyError(), more } as ResponseMessage;
  }

  /** Decodes the body at `at` (empty: `undefined`); a failure is kept for {@link takeBodyError}. */
  private body(payload: Uint8Array, at: number): unknown {
    if (at === payload.length) return undefined;
    const codec = this.codec;
    try {
      return codec.decodeFrom !== undefined
        ? codec.decodeFrom(payload, at)
        : codec.decode(payload.subarray(at));
    } catch (error) {
      // Kept aside rather than returned in a wrapper object: this runs for every message.
      this.bodyError = error instanceof Error ? error : new Error(String(error));
      return undefined;
    }
  }

  /** Data (1.1): an item with MORE, or an empty end of input without it. */
  private parseData(payload: Uint8Array, id: number, more: boolean): DataMessage {
    if (!more && payload.length > COMMON_HEADER_BYTES) {
      throw new ProtocolError(`Data ${id} ends the input (MORE clear) but carries a body`);
    }
    const body = this.body(payload, COMMON_HEADER_BYTES);
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

function parseHello(r: Reader, hasMetadata: boolean): HelloMessage {
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
function readStreamWindow(r: Reader): StreamCredit {
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
function parseCredit(r: Reader, id: number): CreditMessage {
  const stream = r.u8();
  if (stream !== CreditStream.Outputs && stream !== CreditStream.Inputs) {
    throw new ProtocolError(`Credit ${id} names unknown stream 0x${hex(stream)}`);
  }
  return { kind: Kind.Credit, id, stream, items: r.u32(), bytes: r.u32() };
}

function parseHelloAck(r: Reader): HelloAckMessage {
  const status = r.u8();
  if (status === HelloAckStatus.Accept) return { kind: Kind.HelloAck, accepted: true };
  if (status !== HelloAckStatus.Refuse) {
    throw new ProtocolError(`HelloAck has unknown status 0x${hex(status)}`);
  }
  return { kind: Kind.HelloAck, accepted: false, code: r.str8(), message: r.str16() };
}

function readContractId(r: Reader): ContractId | undefined {
  const name = r.str8();
  const version = r.str8();
  const fingerprint = r.str8();
  return name === "" ? undefined : { name, version, fingerprint };
}

/** Reads a u32 big-endian at `p` (multiplying the top byte keeps it unsigned). */
export function readU32(bytes: Uint8Array, p: number): number {
  return bytes[p]! * 0x100_0000 + ((bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!);
}

/** Bounds-checked cursor over a payload's fixed fields. */
class Reader implements MemberReader, AuthReader {
  constructor(
    private readonly bytes: Uint8Array,
    public at: number,
    private readonly kind: number,
  ) {}

  u8(): number {
    this.need(1);
    return this.bytes[this.at++]!;
  }

  u32(): number {
    this.need(4);
    const value = readU32(this.bytes, this.at);
    this.at += 4;
    return value;
  }

  u16(): number {
    this.need(2);
    const value = (this.bytes[this.at]! << 8) | this.bytes[this.at + 1]!;
    this.at += 2;
    return value;
  }

  take(n: number): Uint8Array {
    this.need(n);
    this.at += n;
    return new Uint8Array(this.bytes.subarray(this.at - n, this.at));
  }

  /** `n` bytes as 2n lowercase hex digits. */
  hex(n: number): string {
    this.need(n);
    let out = "";
    for (let i = 0; i < n; i++) out += hex(this.bytes[this.at++]!);
    return out;
  }

  get remaining(): number {
    return this.bytes.length - this.at;
  }

  fail(message: string): never {
    throw new ProtocolError(message);
  }

  str8(): string {
    return this.text(this.u8());
  }

  /** A str8 field holding a method or signal name, looked up in `names` by its bytes. */
  name(names: NameStringCache): string {
    return this.text(this.u8(), names);
  }

  str16(): string {
    return this.text(this.u16());
  }

  metadata(): Metadata {
    const count = this.u8();
    // A null prototype: keys come from the network ("__proto__" must stay a plain key).
    const out: Record<string, string> = Object.create(null);
    for (let i = 0; i < count; i++) {
      const key = this.str8();
      out[key] = this.str16();
    }
    return out;
  }

  private text(n: number, names?: NameStringCache): string {
    this.need(n);
    const start = this.at;
    this.at += n;
    try {
      return names === undefined
        ? readUtf8(this.bytes, start, this.at)
        : names.get(this.bytes, start, this.at);
    } catch (cause) {
      throw new ProtocolError(`${this.kindName()} holds a string that is not valid UTF-8`, {
        cause,
      });
    }
  }

  private need(n: number): void {
    if (this.at + n > this.bytes.length) {
      throw new ProtocolError(
        `${this.kindName()} frame is truncated: a field needs ${n} bytes at offset ${this.at} ` +
          `but the frame has ${this.bytes.length}`,
      );
    }
  }

  private kindName(): string {
    return KIND_NAMES[this.kind] ?? "frame";
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}
