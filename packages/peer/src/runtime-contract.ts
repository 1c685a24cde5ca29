/**
 * The run-time check that a value is a contract made by `defineContract` (the engine uses it as
 * the codec's `AnyContract`): options come from JavaScript too, where types do not reach.
 */
import type { AnyContract } from "@parley/codec";

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
