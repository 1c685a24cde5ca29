/**
 * The contract check of the Hello (docs/protocol.md §5, "Contracts, per method"): the 1.0 rule
 * (whole contracts equal) or, when both sides advertise member tables (1.1) and neither asks for
 * strictness, agreement per method. The calling side decides, since only it holds both its own
 * schemas and the shapes the serving side sent; the serving side checks the name only.
 */
import { createHash } from "node:crypto";
import type { AnyContract, ContractDefinition } from "@parley/codec";
import {
  agreeMembers,
  type ContractMember,
  contractMembers,
  describeIncompatibility,
  type MemberAgreement,
} from "@parley/codec/internal";
import { ContractMismatchError, UnimplementedError } from "./errors.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import type { ContractId, HelloMessage } from "./wire-messages.js";

/** Most incompatible members a refusal names (the rest are counted). */
const MAX_NAMED_MEMBERS = 5;
/** Served contracts remembered per called contract before the memory starts over. */
const MAX_REMEMBERED_AGREEMENTS = 64;

// A caller opening many connections to servers of one version compares their shapes once: the
// agreement is remembered per called contract and per member table received, keyed on a digest of
// that table itself (every name, flag and fingerprint, and every shape the agreement reads), never
// on the contract fingerprint the server claims. A hostile or broken server claiming another version's fingerprint with a
// wrong table would otherwise decide what every later, honest server of that version is told.
// SHA-256 rather than the contract's FNV: a server must not be able to craft a table that
// collides with an honest one.
const remembered = new WeakMap<ContractDefinition, Map<string, MemberAgreement>>();

function agreeOnce(caller: ContractDefinition, served: readonly ContractMember[]): MemberAgreement {
  let known = remembered.get(caller);
  if (known === undefined) {
    known = new Map();
    remembered.set(caller, known);
  }
  const key = memberTableDigest(caller, served);
  let agreement = known.get(key);
  if (agreement === undefined) {
    agreement = agreeMembers(caller, served);
    if (known.size >= MAX_REMEMBERED_AGREEMENTS) known.clear();
    known.set(key, agreement);
  }
  return agreement;
}

/** Each member's fingerprint, by kind and name, of the contracts this side calls. */
const ownFingerprints = new WeakMap<ContractDefinition, OwnFingerprints>();
type OwnFingerprints = { readonly [kind in ContractMember["kind"]]: Map<string, string> };

function fingerprintsOf(caller: ContractDefinition): OwnFingerprints {
  let own = ownFingerprints.get(caller);
  if (own === undefined) {
    own = { request: new Map(), signal: new Map() };
    for (const m of contractMembers(caller)) own[m.kind].set(m.name, m.fingerprint);
    ownFingerprints.set(caller, own);
  }
  return own;
}

/**
 * A digest of everything in a received member table that `caller`'s agreement with it depends on:
 * every row's kind, flag, fingerprint and name, and the shape of each member the caller also has
 * under another fingerprint (the only shapes the agreement reads; a few when a few methods changed).
 */
export function memberTableDigest(
  caller: ContractDefinition,
  served: readonly ContractMember[],
): string {
  const own = fingerprintsOf(caller);
  // Each field in a fixed order, the variable ones after their length: unambiguous whatever a
  // name or shape holds. One string and one hash update: JSON.stringify of the rows (escaping
  // every quote of every shape) cost more than the hash itself.
  let text = "";
  for (const m of served) {
    const { name, fingerprint: fp } = m;
    const mine = (m.kind === "request" ? own.request : own.signal).get(name);
    const shape = mine !== undefined && mine !== fp ? m.shape : "";
    text += `${m.kind === "request" ? "r" : "s"}${m.idempotent ? 1 : 0}${fp.length}:${fp}`;
    text += `${name.length}:${name}${shape.length}:${shape}`;
  }
  return createHash("sha256").update(text).digest("base64");
}

/** What the calling side learned at Hello: the members the remote lacks. */
export class ContractGaps {
  constructor(
    private readonly requests: ReadonlySet<string>,
    private readonly signals: ReadonlySet<string>,
    private readonly ours: ContractId,
    private readonly theirs: ContractId,
  ) {}

  /** Why a call to `method` cannot go to this remote, or undefined. */
  request(method: string): UnimplementedError | undefined {
    return this.requests.has(method) ? this.error("method", method) : undefined;
  }

  /** Why signal `name` cannot go to this remote, or undefined. */
  signal(name: string): UnimplementedError | undefined {
    return this.signals.has(name) ? this.error("signal", name) : undefined;
  }

  private error(what: string, name: string): UnimplementedError {
    return new UnimplementedError(
      `${what} ${name} is not served by the remote: this side calls ${this.ours.name} ` +
        `v${this.ours.version}, the remote serves ${this.theirs.name} v${this.theirs.version}; ` +
        "nothing was sent (deploy the newer contract on the serving side first)",
    );
  }
}

/** The outcome of the contract check: a refusal, or the gaps to enforce locally (if any). */
export type ContractAgreement =
  | { readonly ok: false; readonly error: ContractMismatchError }
  | { readonly ok: true; readonly gaps: ContractGaps | undefined };

/** The members a contract advertises in the Hello, when it has a definition. */
export function advertisedMembers(
  c: AnyContract | undefined,
): readonly ContractMember[] | undefined {
  return c?.definition === undefined ? undefined : contractMembers(c.definition);
}

/** Checks the contracts of both directions of the remote's Hello `m` against this side's. */
export function agreeContracts(o: ResolvedPeerOptions, m: HelloMessage): ContractAgreement {
  const asServer = checkAsServer(o, m);
  if (asServer !== undefined) return { ok: false, error: asServer };
  return checkAsCaller(o, m);
}

// This side calls: it decides, from the shapes the serving side sent.
function checkAsCaller(o: ResolvedPeerOptions, m: HelloMessage): ContractAgreement {
  const calls = o.calls;
  if (calls === undefined) return { ok: true, gaps: undefined };
  // An optional callback contract accepts a remote that serves nothing (not one serving another);
  // calls to it then fail locally (the engine's notServed check).
  if (o.callsOptional && m.serves === undefined) return { ok: true, gaps: undefined };
  const served = m.servesMembers;
  if (o.contractCheck === "strict" || m.minor < 1 || served === undefined || !calls.definition) {
    const error = wholeContractMismatch(calls, m.serves);
    return error === undefined ? { ok: true, gaps: undefined } : { ok: false, error };
  }
  const ours = contractId(calls)!;
  const nameError = nameMismatch(ours, m.serves);
  if (nameError !== undefined) return { ok: false, error: nameError };
  const theirs = m.serves!;
  if (theirs.fingerprint === ours.fingerprint) return { ok: true, gaps: undefined };
  const agreement = agreeOnce(calls.definition, served);
  const bad = agreement.incompatible;
  if (bad.length > 0) {
    const named = bad.slice(0, MAX_NAMED_MEMBERS).map(describeIncompatibility).join("; ");
    const more =
      bad.length > MAX_NAMED_MEMBERS ? `; and ${bad.length - MAX_NAMED_MEMBERS} more` : "";
    const error = new ContractMismatchError(
      `contract mismatch: the calling side calls ${ours.name} v${ours.version}, the serving side ` +
        `serves v${theirs.version}, and they are incompatible: ${named}${more}; ` +
        "see docs/contract-changes.md for the changes that stay compatible",
    );
    return { ok: false, error };
  }
  const { unservedRequests, unservedSignals } = agreement;
  if (unservedRequests.length === 0 && unservedSignals.length === 0)
    return { ok: true, gaps: undefined };
  return {
    ok: true,
    gaps: new ContractGaps(new Set(unservedRequests), new Set(unservedSignals), ours, theirs),
  };
}

// This side serves: without the calling side's shapes it can check the name only, and leaves the
// rest to the calling side (which refuses if its contract does not fit).
function checkAsServer(o: ResolvedPeerOptions, m: HelloMessage): ContractMismatchError | undefined {
  // A side that serves nothing leaves the verdict to the calling side, which knows whether its
  // callback contract is optional.
  if (m.calls === undefined || o.serves === undefined) return undefined;
  const serves = o.serves;
  if (
    o.contractCheck === "strict" ||
    m.minor < 1 ||
    m.callsMembers === undefined ||
    !serves?.definition
  ) {
    return wholeContractMismatch(m.calls, serves);
  }
  return nameMismatch(m.calls, serves);
}

function nameMismatch(
  want: ContractId,
  served: AnyContract | ContractId | undefined,
): ContractMismatchError | undefined {
  const have = contractId(served);
  if (have === undefined) {
    return new ContractMismatchError(
      `contract mismatch: the calling side calls ${describe(want)} but the serving side serves no contract`,
    );
  }
  if (have.name !== want.name) {
    return new ContractMismatchError(
      `contract mismatch: the calling side calls ${describe(want)} but the serving side serves ${describe(have)}`,
    );
  }
  return undefined;
}

/** The 1.0 rule: name, version and fingerprint all equal. */
function wholeContractMismatch(
  called: AnyContract | ContractId,
  served: AnyContract | ContractId | undefined,
): ContractMismatchError | undefined {
  const want = contractId(called)!;
  const byName = nameMismatch(want, served);
  if (byName !== undefined) return byName;
  const have = contractId(served)!;
  if (have.version !== want.version) {
    return new ContractMismatchError(
      `contract mismatch: the calling side calls ${describe(want)} but the serving side serves ${describe(have)}`,
    );
  }
  if (have.fingerprint !== want.fingerprint) {
    return new ContractMismatchError(
      `contract mismatch: both sides use ${want.name} v${want.version} but their schemas differ ` +
        `(fingerprint ${want.fingerprint} on the calling side, ${have.fingerprint} on the serving ` +
        "side); deploy the same contract on both",
    );
  }
  return undefined;
}

/** A contract as the Hello names it. */
export function contractId(c: AnyContract | ContractId | undefined): ContractId | undefined {
  if (c === undefined) return undefined;
  return { name: c.name, version: String(c.version), fingerprint: c.fingerprint };
}

function describe(c: ContractId): string {
  return `${c.name} v${c.version} (fingerprint ${c.fingerprint})`;
}
