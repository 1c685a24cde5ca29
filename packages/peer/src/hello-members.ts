/**
 * The Hello's member tables (protocol 1.1, docs/protocol.md §3 "Hello members"): per request method
 * and signal of the contracts a side serves and calls, its name, `idempotent` flag, fingerprint
 * and, from the serving side, its wire shape. Appended after the 1.0 fields, so a 1.0 receiver
 * ignores them. A table is encoded once per member list, the block once per pair of lists, and
 * reused for every connection (a Hello for a 50-method contract is mostly this block).
 */
import { Buffer } from "node:buffer";
import type { ContractMember } from "@parley/codec/internal";
import { InvalidOptionError } from "@parley/framing";
import { utf8Bytes } from "./byte-strings.js";
import { Kind, MAX_STR8_BYTES, MAX_STR16_BYTES } from "./wire-constants.js";

/** The members block: which tables follow. */
export const MembersFlag = {
  /** The serving side's table follows. */
  Serves: 0x01,
  /** The calling side's table follows (after the serving one). */
  Calls: 0x02,
} as const;

/** Member flag bits. */
const IDEMPOTENT = 0x01;
/** Most members in one table (the count is a u16). */
export const MAX_HELLO_MEMBERS = 0xffff;
/** Bytes of a member fingerprint on the wire (16 hex digits). */
const FINGERPRINT_BYTES = 8;

const encoded = new WeakMap<readonly ContractMember[], Uint8Array>();
const shapeless = new WeakMap<readonly ContractMember[], readonly ContractMember[]>();

/** `members` with empty shapes (what a calling side sends), made once per list. */
export function withoutShapes(
  members: readonly ContractMember[] | undefined,
): readonly ContractMember[] | undefined {
  if (members === undefined) return undefined;
  let out = shapeless.get(members);
  if (out === undefined) {
    out = Object.freeze(members.map((m) => ({ ...m, shape: "" })));
    shapeless.set(members, out);
  }
  return out;
}

/** A table that is absent, as a key of {@link blocks}. */
const ABSENT: readonly ContractMember[] = [];
/** Whole blocks by serves table, then calls table: a side sends the same block on every Hello. */
const blocks = new WeakMap<readonly ContractMember[], WeakMap<object, Uint8Array>>();

/** The members block: flags u8, then the serves table and the calls table when present. */
export function encodeMembersBlock(
  serves: readonly ContractMember[] | undefined,
  calls: readonly ContractMember[] | undefined,
): Uint8Array {
  let byCalls = blocks.get(serves ?? ABSENT);
  if (byCalls === undefined) {
    byCalls = new WeakMap();
    blocks.set(serves ?? ABSENT, byCalls);
  }
  let block = byCalls.get(calls ?? ABSENT);
  if (block === undefined) {
    block = joinTables(serves, calls);
    byCalls.set(calls ?? ABSENT, block);
  }
  return block;
}

function joinTables(
  serves: readonly ContractMember[] | undefined,
  calls: readonly ContractMember[] | undefined,
): Uint8Array {
  const flags = (serves ? MembersFlag.Serves : 0) | (calls ? MembersFlag.Calls : 0);
  const parts: Uint8Array[] = [Uint8Array.of(flags)];
  if (serves !== undefined) parts.push(encodeTable(serves));
  if (calls !== undefined) parts.push(encodeTable(calls));
  return Buffer.concat(parts);
}

/**
 * One table: count u16, then per member kind u8 (0x03 request, 0x05 signal), flags u8, name str8,
 * fingerprint (8 bytes), shape str16 (empty when not sent).
 * @throws {InvalidOptionError} INVALID_OPTION for a name or shape too long for its field.
 */
function encodeTable(members: readonly ContractMember[]): Uint8Array {
  const cached = encoded.get(members);
  if (cached !== undefined) return cached;
  if (members.length > MAX_HELLO_MEMBERS) {
    throw new InvalidOptionError(`a contract may have at most ${MAX_HELLO_MEMBERS} members`);
  }
  const rows = members.map((m) => ({ m, name: utf8Bytes(m.name), shape: utf8Bytes(m.shape) }));
  let size = 2;
  for (const { name, shape } of rows)
    size += 2 + 1 + name.length + FINGERPRINT_BYTES + 2 + shape.length;
  const out = Buffer.allocUnsafe(size);
  let p = out.writeUInt16BE(members.length, 0);
  for (const { m, name, shape } of rows) {
    if (name.length === 0 || name.length > MAX_STR8_BYTES) {
      throw new InvalidOptionError(`member name ${JSON.stringify(m.name)} must be 1-255 bytes`);
    }
    if (shape.length > MAX_STR16_BYTES) {
      throw new InvalidOptionError(`the shape of ${m.name} is over ${MAX_STR16_BYTES} bytes`);
    }
    p = out.writeUInt8(m.kind === "request" ? Kind.Request : Kind.Signal, p);
    p = out.writeUInt8(m.idempotent ? IDEMPOTENT : 0, p);
    p = out.writeUInt8(name.length, p);
    out.set(name, p);
    p += name.length;
    p += out.write(m.fingerprint, p, FINGERPRINT_BYTES, "hex");
    p = out.writeUInt16BE(shape.length, p);
    out.set(shape, p);
    p += shape.length;
  }
  encoded.set(members, out);
  return out;
}

/** What the members block reader needs of the frame parser's cursor. */
export interface MemberReader {
  u8(): number;
  u16(): number;
  str8(): string;
  str16(): string;
  hex(bytes: number): string;
  fail(message: string): never;
}

/** The tables of a members block, as far as present. */
export interface MembersBlock {
  readonly serves: readonly ContractMember[] | undefined;
  readonly calls: readonly ContractMember[] | undefined;
}

/** Reads a members block (the flags byte onwards). */
export function readMembersBlock(r: MemberReader): MembersBlock {
  const flags = r.u8();
  const serves = (flags & MembersFlag.Serves) !== 0 ? readTable(r) : undefined;
  const calls = (flags & MembersFlag.Calls) !== 0 ? readTable(r) : undefined;
  return { serves, calls };
}

function readTable(r: MemberReader): ContractMember[] {
  const count = r.u16();
  const out: ContractMember[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.u8();
    if (kind !== Kind.Request && kind !== Kind.Signal) {
      r.fail(`Hello member ${i} has unknown kind 0x${kind.toString(16).padStart(2, "0")}`);
    }
    const flags = r.u8();
    const name = r.str8();
    const fingerprint = r.hex(FINGERPRINT_BYTES);
    const shape = r.str16();
    out.push({
      kind: kind === Kind.Request ? "request" : "signal",
      name,
      idempotent: (flags & IDEMPOTENT) !== 0,
      fingerprint,
      shape,
    });
  }
  return out;
}
