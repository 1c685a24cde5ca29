/**
 * Contract diff: every change between two versions of a contract, each with what it breaks during a
 * rolling deploy, where old and new callers meet old and new servers. The calling side writes
 * request inputs and signal payloads, which the serving side reads; the serving side writes
 * outputs, which the calling side reads. A change is checked in both meetings:
 *
 * - an old caller against a new server (servers deployed first), and
 * - a new caller against an old server (callers deployed first).
 *
 * It is `compatible` when both work, `servers-first` or `callers-first` when only that order works,
 * `breaking` when neither does. CI refuses what is not `compatible` (see docs/contract-changes.md).
 */

import type { ContractDefinition, RequestDefinition } from "./contract-types.js";
import type { Json } from "./fingerprint.js";
import { requestWire, wireSchema } from "./fingerprint.js";
import { compareSchemas, type SchemaFinding } from "./schema-compatibility.js";
import type { JsonSchema } from "./schema-description.js";
import { NO_OUTPUT_SCHEMA } from "./stream-shape.js";

/** What a change breaks, in one word. */
export type ChangeVerdict = "compatible" | "servers-first" | "callers-first" | "breaking";

/** One change between two contract versions. */
export interface ContractChange {
  /** `request`, `signal` or `contract` (a change of the contract's name). */
  readonly member: "request" | "signal" | "contract";
  /** The method or signal name (the contract's name for `contract`). */
  readonly name: string;
  /** Where in the message: `input.user.id`, `output`, `payload.kind` (`""` for the member itself). */
  readonly path: string;
  /** The old type there (`absent` when the old version lacks it). */
  readonly oldType: string;
  /** The new type there. */
  readonly newType: string;
  /** What changed, in a few words. */
  readonly reason: string;
  /** An old caller can no longer talk to a new server about this. */
  readonly breaksOldCallers: boolean;
  /** A new caller cannot talk to an old server about this. */
  readonly breaksNewCallers: boolean;
  /** The two flags in one word. */
  readonly verdict: ChangeVerdict;
}

/** Everything that changed from one contract version to the next. */
export interface ContractDiff {
  readonly contract: string;
  readonly oldVersion: string;
  readonly newVersion: string;
  /** Every change, in member order. */
  readonly changes: readonly ContractChange[];
  /** The changes whose verdict is not `compatible`. */
  readonly breaking: readonly ContractChange[];
  /** The worst verdict of all changes (`compatible` when there are none). */
  readonly verdict: ChangeVerdict;
}

/** A contract or its definition: what {@link diffContracts} compares. */
export type ContractVersion = ContractDefinition | { readonly definition: ContractDefinition };

/**
 * Lists the changes from `oldVersion` to `newVersion` of a contract, each with its verdict.
 * @example
 * ```ts
 * const diff = diffContracts(kvV1, kvV2);
 * if (diff.breaking.length > 0) { console.error(formatContractDiff(diff)); process.exit(1); }
 * ```
 */
export function diffContracts(
  oldVersion: ContractVersion,
  newVersion: ContractVersion,
): ContractDiff {
  const a = definitionOf(oldVersion);
  const b = definitionOf(newVersion);
  const changes: ContractChange[] = [];
  if (a.name !== b.name) {
    changes.push(change("contract", a.name, "", a.name, b.name, "contract renamed", true, true));
  }
  diffRequests(a, b, changes);
  diffSignals(a, b, changes);
  const breaking = changes.filter((c) => c.verdict !== "compatible");
  return {
    contract: b.name,
    oldVersion: String(a.version),
    newVersion: String(b.version),
    changes,
    breaking,
    verdict: worst(changes),
  };
}

function diffRequests(a: ContractDefinition, b: ContractDefinition, out: ContractChange[]): void {
  const oldRequests = a.requests ?? {};
  const newRequests = b.requests ?? {};
  for (const name of unionOfKeys(oldRequests, newRequests)) {
    const before = own(oldRequests, name);
    const after = own(newRequests, name);
    if (before === undefined) {
      // A new caller meeting an old server gets UNIMPLEMENTED locally for it, before anything is
      // written; the handshake still succeeds, so adding a method is compatible.
      out.push(change("request", name, "", "absent", "method", "method added", false, false));
      continue;
    }
    if (after === undefined) {
      out.push(change("request", name, "", "method", "absent", "method removed", true, false));
      continue;
    }
    diffIdempotent(name, before, after, out);
    diffRequestSchemas(name, requestWire(before), requestWire(after), out);
  }
}

function diffIdempotent(
  name: string,
  before: RequestDefinition,
  after: RequestDefinition,
  out: ContractChange[],
): void {
  const [was, is] = [before.idempotent === true, after.idempotent === true];
  if (was === is) return;
  const [from, to] = was ? ["idempotent", "not idempotent"] : ["not idempotent", "idempotent"];
  // Dropped: old callers would still retry it after a failure. Added: new callers would retry it,
  // an old server's handler may not be safe to run twice, and the Hello refuses that meeting.
  const reason = was ? "idempotent dropped" : "idempotent added";
  out.push(change("request", name, "", from, to, reason, was, !was));
}

function diffRequestSchemas(
  name: string,
  was: Record<string, Json>,
  now: Record<string, Json>,
  out: ContractChange[],
): void {
  const pair = (key: string) => ({ old: was[key] ?? {}, new: now[key] ?? {} });
  // Inputs: the caller writes, the server reads. Outputs: the server writes, the caller reads.
  // A stream's items go the same ways: accepts as the input, yields as the output.
  diffSchemas("request", name, "input", pair("input"), false, out);
  const output = { old: was.output ?? NO_OUTPUT_SCHEMA, new: now.output ?? NO_OUTPUT_SCHEMA };
  diffSchemas("request", name, "output", output, true, out);
  for (const items of ["accepts", "yields"] as const) {
    const [had, has] = [items in was, items in now];
    if (had === has) {
      if (had) diffSchemas("request", name, items, pair(items), items === "yields", out);
      continue;
    }
    // A stream declared on one side only: the Hello refuses the meeting both ways.
    const [from, to] = had ? [items, "absent"] : ["absent", items];
    const reason = `${items} ${had ? "removed" : "added"}`;
    out.push(change("request", name, items, from, to, reason, true, true));
  }
}

function diffSignals(a: ContractDefinition, b: ContractDefinition, out: ContractChange[]): void {
  const oldSignals = a.signals ?? {};
  const newSignals = b.signals ?? {};
  for (const name of unionOfKeys(oldSignals, newSignals)) {
    const before = own(oldSignals, name);
    const after = own(newSignals, name);
    if (before === undefined) {
      out.push(change("signal", name, "", "absent", "signal", "signal added", false, false));
    } else if (after === undefined) {
      out.push(change("signal", name, "", "signal", "absent", "signal removed", true, false));
    } else {
      const payload = { old: wireSchema(before), new: wireSchema(after) };
      diffSchemas("signal", name, "payload", payload, false, out);
    }
  }
}

/**
 * Compares one schema in both meetings. `serverWrites` is true for outputs: the old caller then
 * reads what the new server writes; for inputs the old caller writes what the new server reads.
 */
function diffSchemas(
  member: "request" | "signal",
  name: string,
  root: string,
  schema: { old: Json; new: Json },
  serverWrites: boolean,
  out: ContractChange[],
): void {
  // forward: the old schema writes, the new one reads; backward: the other way round.
  const forward = groupByPath(
    compareSchemas(schema.old as JsonSchema, schema.new as JsonSchema, root),
  );
  const backward = groupByPath(
    compareSchemas(schema.new as JsonSchema, schema.old as JsonSchema, root),
  );
  for (const path of unionOfKeys(Object.fromEntries(forward), Object.fromEntries(backward))) {
    const f = forward.get(path) ?? [];
    const b = backward.get(path) ?? [];
    const oldWritesOk = f.every((x) => x.compatible);
    const newWritesOk = b.every((x) => x.compatible);
    const breaksOld = serverWrites ? !newWritesOk : !oldWritesOk;
    const breaksNew = serverWrites ? !oldWritesOk : !newWritesOk;
    const first = f[0];
    const oldType = first !== undefined ? first.writer : b[0]!.reader;
    const newType = first !== undefined ? first.reader : b[0]!.writer;
    const reason = (f.length > 0 ? f : b).map((x) => x.reason).join("; ");
    out.push(change(member, name, path, oldType, newType, reason, breaksOld, breaksNew));
  }
}

function groupByPath(findings: readonly SchemaFinding[]): Map<string, SchemaFinding[]> {
  const byPath = new Map<string, SchemaFinding[]>();
  for (const f of findings) {
    const list = byPath.get(f.path);
    if (list === undefined) byPath.set(f.path, [f]);
    else list.push(f);
  }
  return byPath;
}

function change(
  member: ContractChange["member"],
  name: string,
  path: string,
  oldType: string,
  newType: string,
  reason: string,
  breaksOldCallers: boolean,
  breaksNewCallers: boolean,
): ContractChange {
  const verdict: ChangeVerdict = breaksOldCallers
    ? breaksNewCallers
      ? "breaking"
      : "callers-first"
    : breaksNewCallers
      ? "servers-first"
      : "compatible";
  return {
    member,
    name,
    path,
    oldType,
    newType,
    reason,
    breaksOldCallers,
    breaksNewCallers,
    verdict,
  };
}

function worst(changes: readonly ContractChange[]): ChangeVerdict {
  const oldBroken = changes.some((c) => c.breaksOldCallers);
  const newBroken = changes.some((c) => c.breaksNewCallers);
  return change("contract", "", "", "", "", "", oldBroken, newBroken).verdict;
}

/**
 * The diff as text, one change a line, breaking ones first:
 * `BREAKING   request put input.ttl: absent -> number (required field added)`.
 */
export function formatContractDiff(diff: ContractDiff): string {
  const head = `${diff.contract} v${diff.oldVersion} -> v${diff.newVersion}: ${diff.verdict}`;
  if (diff.changes.length === 0) return `${head} (no changes)`;
  const order: ChangeVerdict[] = ["breaking", "callers-first", "servers-first", "compatible"];
  const sorted = [...diff.changes].sort(
    (x, y) => order.indexOf(x.verdict) - order.indexOf(y.verdict),
  );
  const lines = sorted.map((c) => {
    const where = c.path === "" ? `${c.member} ${c.name}` : `${c.member} ${c.name} ${c.path}`;
    return `${c.verdict.toUpperCase().padEnd(13)} ${where}: ${c.oldType} -> ${c.newType} (${c.reason})`;
  });
  return [head, ...lines].join("\n");
}

function definitionOf(version: ContractVersion): ContractDefinition {
  return "definition" in version && typeof version.definition === "object"
    ? version.definition
    : (version as ContractDefinition);
}

function unionOfKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

function own<T>(map: { readonly [key: string]: T }, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
