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
 * The names an options bag may have, typed against its interface so that an option added to the
 * interface fails the typecheck until it is listed: `optionNames<TcpListenOptions>({ host: true, ... })`.
 */
export function optionNames<T extends object>(
  names: {
    readonly [K in keyof Required<T>]: true;
  },
): readonly string[] {
  return Object.freeze(Object.keys(names));
}

/** Where else a misplaced option belongs: the other function's name and its option names. */
export interface OtherOptionNames {
  readonly what: string;
  readonly names: readonly string[];
}

/**
 * Throws unless every option given to `what` is one of `known`: a misspelled option
 * (`checkDirectry`) would otherwise be dropped without a word and its protection silently missing.
 * A key whose value is `undefined` is ignored (spread configs produce them).
 * @throws {InvalidOptionError} `INVALID_OPTION` naming the unknown option and the nearest known one,
 *   or the function it belongs to when it is one of `other`'s.
 */
export function rejectUnknownOptions(
  what: string,
  options: object | undefined,
  known: readonly string[],
  other?: OtherOptionNames,
): void {
  if (options === undefined || typeof options !== "object" || options === null) return;
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || known.includes(name)) continue;
    if (other?.names.includes(name)) {
      throw new InvalidOptionError(
        `${name} is an option of ${other.what}, not of ${what}; remove it here`,
      );
    }
    const nearest = nearestName(name, known);
    const hint = nearest === undefined ? "" : `; did you mean ${nearest}?`;
    throw new InvalidOptionError(`${what} has no option ${JSON.stringify(name)}${hint}`);
  }
}

/** The known name closest to `name`, if it is close enough to be a likely typo. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the name (at least 2) may differ: "authTokn" finds authToken, "port" finds nothing.
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment):
 * "maxFrmaeBytes" is 1 away from maxFrameBytes, where plain Levenshtein says 2.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1]!;
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
