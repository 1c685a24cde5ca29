import { InvalidOptionError } from "@parley/framing";

// Option checks shared by every factory in this package: each throws INVALID_OPTION naming the
// option and the rule, once, when the options are resolved.

/** Returns `value`, or throws unless it is an integer no smaller than `min`. */
export function integerAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(
      `${name} must be an integer of at least ${min}, got ${describe(value)}`,
    );
  }
  return value;
}

/** Returns `value`, or throws unless it is a finite number no smaller than zero. */
export function nonNegativeNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(
      `${name} must be a finite number of at least 0, got ${describe(value)}`,
    );
  }
  return value;
}

/** Returns `value`, or throws unless it is a boolean. */
export function booleanOption(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new InvalidOptionError(`${name} must be true or false, got ${describe(value)}`);
  }
  return value;
}

/** Returns `value`, or throws unless it is a non-empty string. */
export function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidOptionError(`${name} must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** Renders a rejected value for an error message without dumping large objects. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null)
    return String(value);
  return Array.isArray(value) ? `an array of ${value.length}` : `a ${typeof value}`;
}
