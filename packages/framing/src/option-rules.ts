/**
 * Validation helpers shared by every options resolver of the Parley packages: resolve once, fail
 * loudly with an `InvalidOptionError` that names the option and the rule. Exported to the sibling
 * packages through `@parley/framing/internal`.
 */
import { InvalidOptionError } from "./parley-error.js";

/** The longest delay a Node.js timer accepts (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** Throws unless `options` is undefined or a plain object (catches `listenTcp(7000)`). */
export function optionsObject<T extends object>(what: string, options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(`${what} options must be an object (got ${describe(options)})`);
  }
  return options;
}

/** Returns `value ?? fallback` after checking it is an integer in `[min, max]`. */
export function integerOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(
      `${name} must be ${describeRange(min, max)} (got ${describe(value)})`,
    );
  }
  return value;
}

/** Returns `value ?? fallback` after checking it is a boolean. */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new InvalidOptionError(`${name} must be true or false (got ${describe(value)})`);
  }
  return value;
}

/** Returns `value`, or throws unless it is a non-empty string. */
export function requiredString(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidOptionError(`${name} must be a non-empty string (got ${describe(value)})`);
  }
  return value;
}

/** Returns `value ?? fallback` after checking it is one of `allowed`. */
export function oneOfOption<T>(
  name: string,
  value: unknown,
  fallback: T,
  allowed: readonly T[],
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    const list = allowed.map((v) => JSON.stringify(v)).join(", ");
    throw new InvalidOptionError(`${name} must be one of ${list} (got ${describe(value)})`);
  }
  return value as T;
}

/** Returns `value`, or throws unless it is undefined or an `AbortSignal`. */
export function signalOption(name: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) {
    throw new InvalidOptionError(`${name} must be an AbortSignal (got ${describe(value)})`);
  }
  return value;
}

/** Returns `value`, or throws unless it is undefined or a function. */
export function functionOption<T extends (...args: never[]) => unknown>(
  name: string,
  value: unknown,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") {
    throw new InvalidOptionError(`${name} must be a function (got ${describe(value)})`);
  }
  return value as T;
}

/** A short, safe rendering of a bad option value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : (value.constructor?.name ?? "an object");
}

function describeRange(min: number, max: number): string {
  if (max !== Number.MAX_SAFE_INTEGER) return `an integer from ${min} to ${max}`;
  if (min === 0) return "a non-negative integer";
  if (min === 1) return "a positive integer";
  if (min === Number.MIN_SAFE_INTEGER) return "a safe integer";
  return `an integer >= ${min}`;
}
