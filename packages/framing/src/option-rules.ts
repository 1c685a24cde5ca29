/** Validation helpers shared by every options resolver in this package (resolve once, fail loudly). */

import { InvalidOptionError } from "./parley-error.js";

/** Returns `value ?? fallback` after checking it is an integer in `[min, max]`. */
export function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = describeRange(min, max);
    throw new InvalidOptionError(`${name} must be ${range} (got ${String(value)})`);
  }
  return value;
}

/** Returns `value ?? fallback` after checking it is one of `allowed`. */
export function oneOfOption<T>(
  name: string,
  value: T | undefined,
  fallback: T,
  allowed: readonly T[],
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    const list = allowed.map((v) => JSON.stringify(v)).join(", ");
    throw new InvalidOptionError(`${name} must be one of ${list} (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** Returns `value ?? fallback` after checking it is a boolean. */
export function booleanOption(
  name: string,
  value: boolean | undefined,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new InvalidOptionError(`${name} must be true or false (got ${JSON.stringify(value)})`);
  }
  return value;
}

function describeRange(min: number, max: number): string {
  if (max !== Number.MAX_SAFE_INTEGER) return `an integer from ${min} to ${max}`;
  if (min === 0) return "a non-negative integer";
  if (min === 1) return "a positive integer";
  if (min === Number.MIN_SAFE_INTEGER) return "a safe integer";
  return `an integer >= ${min}`;
}

/** Throws unless `options` is undefined or a plain object (catches `createThing(64)`). */
export function optionsObject<T extends object>(name: string, options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(`${name} options must be an object (got ${typeof options})`);
  }
  return options;
}
