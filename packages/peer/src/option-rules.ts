/** Small validators for options: each names the option and the rule it broke. */
import { InvalidOptionError } from "@parley/framing";

/** setTimeout's largest delay; longer ones fire after 1 ms in Node. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * `value` when it is an integer within `[min, max]`, `fallback` when undefined.
 * @throws {InvalidOptionError} INVALID_OPTION otherwise.
 */
export function integerOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(
      `${name} must be an integer from ${min} to ${max} (got ${describe(value)})`,
    );
  }
  return value;
}

/**
 * A duration in milliseconds: a positive integer up to {@link MAX_TIMER_MS}, or 0 when `allowZero`.
 * @throws {InvalidOptionError} INVALID_OPTION otherwise.
 */
export function durationOption(
  name: string,
  value: unknown,
  fallback: number,
  allowZero = false,
): number {
  return integerOption(name, value, fallback, allowZero ? 0 : 1, MAX_TIMER_MS);
}

/** @throws {InvalidOptionError} INVALID_OPTION when `value` is neither undefined nor a boolean. */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new InvalidOptionError(`${name} must be a boolean (got ${describe(value)})`);
  }
  return value;
}

/** @throws {InvalidOptionError} INVALID_OPTION when `value` is neither undefined nor a function. */
export function functionOption<F>(name: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") {
    throw new InvalidOptionError(`${name} must be a function (got ${describe(value)})`);
  }
  return value as F;
}

/** @throws {InvalidOptionError} INVALID_OPTION when `value` is neither undefined nor a plain object. */
export function objectOption<T extends object>(name: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(`${name} must be an object (got ${describe(value)})`);
  }
  return value as T;
}

/** A short rendering of a bad value for messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : String(value);
}
