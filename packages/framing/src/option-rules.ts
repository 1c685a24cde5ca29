/**
 * The option rules of every Parley package (framing is the lowest layer; the others import them
 * through `@parley/framing/internal`): resolve once, fail loudly with an `InvalidOptionError` that
 * names the option and the rule.
 */
import { InvalidOptionError } from "./parley-error.js";

/** The longest delay a Node.js timer accepts (2^31 - 1 ms, about 24.8 days); longer fires at once. */
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

/**
 * A duration in milliseconds: `value ?? fallback` after checking it is a positive integer up to
 * {@link MAX_TIMER_MS}, or 0 too when `allowZero`.
 */
export function durationOption(
  name: string,
  value: unknown,
  fallback: number,
  allowZero = false,
): number {
  return integerOption(name, value, fallback, allowZero ? 0 : 1, MAX_TIMER_MS);
}

/** Returns `value`, or throws unless it is an integer no smaller than `min` (no default). */
export function integerAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(
      `${name} must be an integer of at least ${min}, got ${describe(value)}`,
    );
  }
  return value;
}

/** Returns `value`, or throws unless it is a finite number no smaller than zero (no default). */
export function nonNegativeNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(
      `${name} must be a finite number of at least 0, got ${describe(value)}`,
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

/** Returns `value`, or throws unless it is undefined or a plain object. */
export function objectOption<T extends object>(name: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(`${name} must be an object (got ${describe(value)})`);
  }
  return value as T;
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

/**
 * A short, safe rendering of a bad option value for an error message: never a whole object, a
 * function's source or a long string (a token passed by mistake must not end up in a log).
 */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, MAX_DESCRIBED_CHARS));
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : (value.constructor?.name ?? "an object");
}

const MAX_DESCRIBED_CHARS = 40;

function describeRange(min: number, max: number): string {
  if (max !== Number.MAX_SAFE_INTEGER) return `an integer from ${min} to ${max}`;
  if (min === 0) return "a non-negative integer";
  if (min === 1) return "a positive integer";
  if (min === Number.MIN_SAFE_INTEGER) return "a safe integer";
  return `an integer >= ${min}`;
}
