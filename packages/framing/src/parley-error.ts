/**
 * The root of every error Parley raises. It lives in the lowest layer so that every package's errors
 * share one shape: a stable `code`, a `retryable` verdict, and an optional `cause`.
 *
 * Match on `err.code`, not `instanceof`: two copies of a package may be loaded in one process. Use
 * {@link isParleyError} as the guard.
 */

const BRAND = Symbol.for("parley.error");

/** Options every Parley error accepts. */
export interface ParleyErrorOptions extends ErrorOptions {
  /** Whether the failed operation may be retried as is. Defaults to the class's own verdict. */
  retryable?: boolean;
}

/** Base class of every Parley error: `name`, a fixed string `code`, and `retryable`. */
export abstract class ParleyError extends Error {
  /** Stable machine-readable code. Once released, a code is never renamed or reused. */
  abstract readonly code: string;
  /** Whether retrying the same operation may succeed (gRPC's UNAVAILABLE yes, INVALID_ARGUMENT no). */
  readonly retryable: boolean;

  constructor(message: string, options: ParleyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any error raised by any copy of any Parley package. */
export function isParleyError(value: unknown): value is ParleyError {
  return (
    value instanceof Error &&
    (value as unknown as Record<symbol, unknown>)[BRAND] === true &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/** A constructor option or argument broke its rule; the message names the option and the rule. */
export class InvalidOptionError extends ParleyError {
  override readonly name = "InvalidOptionError";
  readonly code = "INVALID_OPTION" as const;
}
