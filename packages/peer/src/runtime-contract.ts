/**
 * The run-time check that a value is a contract made by `defineContract` (the engine uses it as
 * the codec's `AnyContract`): options come from JavaScript too, where types do not reach.
 */
import type { AnyContract } from "@parley/codec";
import { InvalidOptionError } from "@parley/framing";
import { describe } from "@parley/framing/internal";

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
export function isRuntimeContract(value: unknown): value is AnyContract {
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
export function streamMethods(contract: AnyContract): string[] {
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

/** `value` as a contract option `name`: a contract made by defineContract, with no stream method. */
export function contractOption(name: string, value: unknown): AnyContract | undefined {
  if (value === undefined) return undefined;
  if (!isRuntimeContract(value)) {
    throw new InvalidOptionError(
      `${name} must be a contract made by defineContract (got ${describe(value)})`,
    );
  }
  const streams = streamMethods(value);
  if (streams.length > 0) {
    throw new InvalidOptionError(
      `stream methods are not supported by this version yet; ${name} contract ${value.name} ` +
        `declares ${streams.join(", ")}: use a contract without yields/accepts until the engine ` +
        "carries streams (docs/protocol.md §12)",
    );
  }
  return value;
}
