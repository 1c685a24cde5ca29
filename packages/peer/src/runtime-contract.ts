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
  "streamOf",
  "parseItem",
  "parseInputItem",
  "checkOutboundItem",
  "checkOutboundInputItem",
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

/** `value` as a contract option `name`: a contract made by defineContract. */
export function contractOption(name: string, value: unknown): AnyContract | undefined {
  if (value === undefined) return undefined;
  if (!isRuntimeContract(value)) {
    throw new InvalidOptionError(
      `${name} must be a contract made by defineContract (got ${describe(value)})`,
    );
  }
  return value;
}
