/**
 * The byte layouts of the fields off the hot path (docs/protocol.md §3 and §5): the fields of Hello
 * and HelloAck, built with a growable writer (the metadata block is metadata-block.ts). The frame
 * encoder puts the common header and the length prefix in front of them; the frames of every call
 * are laid out there, in place.
 */
import { Buffer } from "node:buffer";
import { InvalidOptionError } from "@parley/framing";
import { utf8Bytes } from "./byte-strings.js";
import type { StreamCredit } from "./credit-window.js";
import { encodeMembersBlock } from "./hello-members.js";
import { encodeMetadata } from "./metadata-block.js";
import { HELLO_MAGIC, HelloAckStatus, MAX_STR8_BYTES, MAX_STR16_BYTES } from "./wire-constants.js";
import type { ContractId, HelloAckMessage, HelloMessage } from "./wire-messages.js";

/**
 * A Hello's fields after the common header: magic, version, codec, both contracts, limits,
 * heartbeat, token, [metadata]; from 1.1 the member tables and the stream windows.
 * @throws {InvalidOptionError} INVALID_OPTION when a string breaks its size rule.
 */
export function helloFields(m: HelloMessage): Uint8Array {
  const w = new ByteWriter();
  w.bytes(HELLO_MAGIC);
  w.u8(m.major);
  w.u8(m.minor);
  w.str8(m.codec, "codec name");
  writeContractId(w, m.serves, "serves");
  writeContractId(w, m.calls, "calls");
  w.u32(m.maxFrameBytes);
  w.u32(m.maxConcurrentRequests);
  w.u32(m.heartbeatIntervalMs);
  w.u32(m.heartbeatTimeoutMs);
  w.str16(m.authToken ?? "", "authToken");
  if (m.metadata !== undefined) w.bytes(encodeMetadata(m.metadata));
  if (m.minor < 1) return w.toBytes();
  // 1.1: the member tables, encoded once per contract (hello-members.ts), joined by one copy.
  const members = encodeMembersBlock(m.servesMembers, m.callsMembers);
  const tail = m.streamWindow === undefined ? [] : [streamWindowBytes(m.streamWindow)];
  return Buffer.concat([w.toBytes(), members, ...tail]);
}

/** A HelloAck's fields: accept, or refuse with a code and a message. */
export function helloAckFields(m: HelloAckMessage): Uint8Array {
  const w = new ByteWriter();
  if (m.accepted) {
    w.u8(HelloAckStatus.Accept);
  } else {
    w.u8(HelloAckStatus.Refuse);
    w.str8(m.code, "refusal code");
    w.str16(m.message, "refusal message");
  }
  return w.toBytes();
}

/** 1.1 Hello: streamWindowItems u32, streamWindowBytes u32 (after the members block). */
function streamWindowBytes(window: StreamCredit): Uint8Array {
  const w = new ByteWriter();
  w.u32(window.items);
  w.u32(window.bytes);
  return w.toBytes();
}

function writeContractId(w: ByteWriter, id: ContractId | undefined, what: string): void {
  w.str8(id?.name ?? "", `${what} contract name`);
  w.str8(id?.version ?? "", `${what} contract version`);
  w.str8(id?.fingerprint ?? "", `${what} contract fingerprint`);
}

/** Growable byte writer for the fields that are not on the hot path. */
class ByteWriter {
  private readonly parts: number[] = [];

  u8(value: number): void {
    this.parts.push(value & 0xff);
  }

  u32(value: number): void {
    this.parts.push(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }

  bytes(bytes: Uint8Array): void {
    for (const b of bytes) this.parts.push(b);
  }

  str8(text: string, what: string): void {
    const bytes = utf8Bytes(text);
    if (bytes.length > MAX_STR8_BYTES) {
      throw new InvalidOptionError(`${what} must be at most ${MAX_STR8_BYTES} bytes of UTF-8`);
    }
    this.u8(bytes.length);
    this.bytes(bytes);
  }

  str16(text: string, what: string): void {
    const bytes = utf8Bytes(text);
    if (bytes.length > MAX_STR16_BYTES) {
      throw new InvalidOptionError(`${what} must be at most ${MAX_STR16_BYTES} bytes of UTF-8`);
    }
    this.parts.push(bytes.length >>> 8, bytes.length & 0xff);
    this.bytes(bytes);
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
