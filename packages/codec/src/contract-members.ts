/**
 * Contract members: a contract seen one request method or signal at a time, as peers advertise it
 * in the Hello (protocol 1.1, docs/protocol.md §5) so they can agree per method rather than on the
 * whole contract. Each member has a fingerprint of its own wire shape; the serving side also sends
 * the shape itself, so the calling side can decide, for a member whose fingerprint differs,
 * whether its own schemas and the server's still fit (see docs/contract-changes.md).
 */

import type { ContractDefinition } from "./contract-types.js";
import { canonicalJson, fnv1a64, type Json, requestWire, wireSchema } from "./fingerprint.js";
import { compareWithTraits } from "./schema-compatibility.js";
import type { JsonSchema } from "./schema-description.js";
import { type SchemaTraits, schemaTraits } from "./schema-traits.js";
import { NO_OUTPUT_SCHEMA } from "./stream-shape.js";

/** One request method or signal, as a Hello advertises it. */
export interface ContractMember {
  readonly kind: "request" | "signal";
  readonly name: string;
  /** Requests only: the caller may retry it. */
  readonly idempotent: boolean;
  /** 16 hex digits over the member's kind, flag and wire shape. */
  readonly fingerprint: string;
  /**
   * Canonical JSON of the wire shape: `{"input":...,"output":...}` for a request, the payload's
   * JSON Schema for a signal. Empty when the sender left it out (a Hello from a calling side, or a
   * contract too large for the Hello).
   */
  readonly shape: string;
}

/** A local member: also its wire shape parsed, for checks against a remote's. */
interface LocalMember extends ContractMember {
  readonly wire: Json;
  /** The traits of each schema of `wire` (by root: `input`, ..., or `payload`), walked once. */
  readonly traits: { readonly [root: string]: SchemaTraits };
}

/** The schemas of a member's wire shape that are compared one by one. */
const REQUEST_ROOTS = ["input", "output", "accepts", "yields"] as const;

/** Why a member cannot be used between a caller and a server. */
export interface MemberIncompatibility {
  readonly kind: "request" | "signal";
  readonly name: string;
  /** Where: `input.ttl`, `output`, `payload.kind` (`""` for the member itself). */
  readonly path: string;
  /** The calling side's type there. */
  readonly callerType: string;
  /** The serving side's type there. */
  readonly serverType: string;
  readonly reason: string;
}

/** What a calling side learns from a serving side's member table. */
export interface MemberAgreement {
  /** Request methods the caller declares that the server does not serve. */
  readonly unservedRequests: readonly string[];
  /** Signals the caller declares that the server does not take. */
  readonly unservedSignals: readonly string[];
  /** Members both have whose schemas do not fit (empty when the connection may go ahead). */
  readonly incompatible: readonly MemberIncompatibility[];
}

const cache = new WeakMap<ContractDefinition, readonly LocalMember[]>();

/** The members of a contract, requests first, in definition order (computed once per definition). */
export function contractMembers(definition: ContractDefinition): readonly ContractMember[] {
  return localMembers(definition);
}

function localMembers(definition: ContractDefinition): readonly LocalMember[] {
  let members = cache.get(definition);
  if (members === undefined) {
    members = Object.freeze([
      ...Object.entries(definition.requests ?? {}).map(([name, r]) => {
        return member("request", name, r.idempotent === true, requestWire(r));
      }),
      ...Object.entries(definition.signals ?? {}).map(([name, schema]) =>
        member("signal", name, false, wireSchema(schema)),
      ),
    ]);
    cache.set(definition, members);
  }
  return members;
}

function member(
  kind: ContractMember["kind"],
  name: string,
  idempotent: boolean,
  wire: Json,
): LocalMember {
  const shape = canonicalJson(wire);
  const fingerprint = memberFingerprint(kind, idempotent, shape);
  const traits: { [root: string]: SchemaTraits } = {};
  if (kind === "signal") traits.payload = schemaTraits(wire);
  else for (const root of REQUEST_ROOTS) traits[root] = schemaTraits(field(wire, root));
  return Object.freeze({ kind, name, idempotent, fingerprint, shape, wire, traits });
}

/** The fingerprint a member with this kind, flag and canonical shape has. */
export function memberFingerprint(
  kind: ContractMember["kind"],
  idempotent: boolean,
  shape: string,
): string {
  return fnv1a64(new TextEncoder().encode(`${kind}:${idempotent ? 1 : 0}:${shape}`));
}

/**
 * Checks a calling side's contract against the members a serving side advertised: which of the
 * caller's members the server lacks, and which both have but cannot fit. A member whose
 * fingerprint matches is compatible without looking further; one that differs is compared with
 * the rules of docs/contract-changes.md (the caller writes inputs and payloads, the server outputs).
 */
export function agreeMembers(
  caller: ContractDefinition,
  served: readonly ContractMember[],
): MemberAgreement {
  // One map per kind, keyed on the name alone: no key string built per member.
  const requests = new Map<string, ContractMember>();
  const signals = new Map<string, ContractMember>();
  for (const m of served) (m.kind === "request" ? requests : signals).set(m.name, m);
  const unservedRequests: string[] = [];
  const unservedSignals: string[] = [];
  const incompatible: MemberIncompatibility[] = [];
  for (const mine of localMembers(caller)) {
    const theirs = (mine.kind === "request" ? requests : signals).get(mine.name);
    if (theirs === undefined) {
      (mine.kind === "request" ? unservedRequests : unservedSignals).push(mine.name);
    } else if (theirs.fingerprint !== mine.fingerprint) {
      incompatible.push(...compareMember(mine, theirs));
    }
  }
  return { unservedRequests, unservedSignals, incompatible };
}

function problem(
  { kind, name }: LocalMember,
  path: string,
  callerType: string,
  serverType: string,
  reason: string,
): MemberIncompatibility {
  return { kind, name, path, callerType, serverType, reason };
}

function compareMember(mine: LocalMember, theirs: ContractMember): MemberIncompatibility[] {
  const kind = mine.kind;
  let wire: Json;
  try {
    wire = theirs.shape === "" ? null : (JSON.parse(theirs.shape) as Json);
  } catch {
    wire = null;
  }
  if (wire === null || typeof wire !== "object") {
    const reason = "schemas differ and the serving side sent no shape";
    return [problem(mine, "", "schema", "unknown", reason)];
  }
  const out: MemberIncompatibility[] = [];
  if (mine.idempotent && !theirs.idempotent) {
    out.push(problem(mine, "", "idempotent", "not idempotent", "the caller would retry it"));
  }
  if (kind === "request") out.push(...streamMismatch(mine, wire));
  const roots = kind === "request" ? REQUEST_ROOTS : (["payload"] as const);
  for (const root of roots) {
    const ours = root === "payload" ? (mine.wire as JsonSchema) : field(mine.wire, root);
    const others = root === "payload" ? (wire as JsonSchema) : field(wire, root);
    const known = mine.traits[root];
    // The caller writes the input, its items (accepts) and payloads; the server the output and
    // its items (yields).
    const callerWrites = root !== "output" && root !== "yields";
    const findings = callerWrites
      ? compareWithTraits(ours, known, others, undefined, root)
      : compareWithTraits(others, undefined, ours, known, root);
    for (const f of findings) {
      if (f.compatible) continue;
      const [callerType, serverType] = callerWrites ? [f.writer, f.reader] : [f.reader, f.writer];
      out.push(problem(mine, f.path, callerType, serverType, f.reason));
    }
  }
  return out;
}

/** A stream (`yields`, `accepts`) declared on one side only: the two cannot talk about it. */
function streamMismatch(mine: LocalMember, theirs: Json): MemberIncompatibility[] {
  const out: MemberIncompatibility[] = [];
  for (const key of ["yields", "accepts"] as const) {
    const callerHas = key in (mine.wire as object);
    const serverHas = key in (theirs as object);
    if (callerHas === serverHas) continue;
    const [callerType, serverType] = callerHas ? [key, "absent"] : ["absent", key];
    out.push(problem(mine, key, callerType, serverType, `${key} declared on one side only`));
  }
  return out;
}

function field(wire: Json, key: "input" | "output" | "yields" | "accepts"): JsonSchema {
  const value = (wire as { [key: string]: Json })[key];
  return (value ?? (key === "output" ? NO_OUTPUT_SCHEMA : {})) as JsonSchema;
}

/**
 * One incompatibility in a sentence that reads the same from either side:
 * `request put input.ttl: the calling side has absent, the serving side number (required field added)`.
 */
export function describeIncompatibility(i: MemberIncompatibility): string {
  const where = i.path === "" ? `${i.kind} ${i.name}` : `${i.kind} ${i.name} ${i.path}`;
  return `${where}: the calling side has ${i.callerType}, the serving side ${i.serverType} (${i.reason})`;
}
