/**
 * What the engine uses of a contract at run time. The `Contract` of @parley/codec satisfies it;
 * keeping the engine on this narrow shape leaves the typed helpers to the codec package.
 */
import type { ContractDefinition, StreamShape } from "@parley/codec";

/** Result of validating a body against a contract schema. */
export type ParseResult = { ok: true; value: unknown } | { ok: false; error: Error };

/** The run-time face of a contract. */
export interface RuntimeContract {
  readonly name: string;
  readonly version: string | number;
  readonly fingerprint: string;
  /**
   * The definition the contract was made from (`defineContract` keeps it): with it, the Hello
   * advertises the contract per method (protocol 1.1); without it, contracts must match whole.
   */
  readonly definition?: ContractDefinition;
  /** Check what is sent as well as what arrives. */
  readonly validateOutbound: boolean;
  /** Declared request names, when known: `peer.call` makes them plain properties. */
  readonly requestNames?: readonly string[];
  /** Declared signal names, when known: `peer.emit` makes them plain properties. */
  readonly signalNames?: readonly string[];
  hasRequest(method: string): boolean;
  /** What streams `method` carries (`yields`, `accepts`); `undefined` for a unary method. */
  streamOf?(method: string): StreamShape | undefined;
  hasSignal(name: string): boolean;
  parseInput(method: string, value: unknown): ParseResult;
  parseOutput(method: string, value: unknown): ParseResult;
  parseSignal(name: string, value: unknown): ParseResult;
  checkOutboundInput(method: string, value: unknown): ParseResult;
  checkOutboundOutput(method: string, value: unknown): ParseResult;
  checkOutboundSignal(name: string, value: unknown): ParseResult;
}

const METHODS = [
  "hasRequest",
  "hasSignal",
  "parseInput",
  "parseOutput",
  "parseSignal",
  "checkOutboundInput",
  "checkOutboundOutput",
  "checkOutboundSignal",
] as const;

/** True when `value` has every member the engine uses (a contract made by `defineContract`). */
export function isRuntimeContract(value: unknown): value is RuntimeContract {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.name === "string" &&
    (typeof c.version === "string" || typeof c.version === "number") &&
    typeof c.fingerprint === "string" &&
    METHODS.every((m) => typeof c[m] === "function")
  );
}

/**
 * The stream methods of `contract` (those declaring `yields` or `accepts`), each with what it
 * declares, e.g. `tail (yields)`. The engine does not carry streams yet, so a peer refuses these.
 */
export function streamMethods(contract: RuntimeContract): string[] {
  const requests = contract.definition?.requests ?? {};
  const names = contract.requestNames ?? Object.keys(requests);
  const out: string[] = [];
  for (const name of names) {
    const shape = contract.streamOf?.(name) ?? shapeOf(requests[name]);
    if (shape === undefined || (!shape.yields && !shape.accepts)) continue;
    const declared = [shape.yields ? "yields" : "", shape.accepts ? "accepts" : ""];
    out.push(`${name} (${declared.filter((d) => d !== "").join(", ")})`);
  }
  return out;
}

/** Read from the definition, for a contract without `streamOf`. */
function shapeOf(request: unknown): { yields: boolean; accepts: boolean } | undefined {
  if (typeof request !== "object" || request === null) return undefined;
  const r = request as { yields?: unknown; accepts?: unknown };
  return { yields: r.yields !== undefined, accepts: r.accepts !== undefined };
}
