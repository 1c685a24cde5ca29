/**
 * The wire form of a failed call: `{ code, message, data?, retryable? }`. Whatever a handler throws
 * is normalised to it before it is encoded (message kept, stack and cause never sent), and the
 * caller turns it back into a {@link RemoteError}.
 */

import { isParleyError } from "@parley/framing";
import { INTERNAL_ERROR_CODE, RemoteError } from "./errors.js";

/** An error as it crosses the wire. */
export interface WireError {
  /** Machine-readable code: a {@link ServiceError} code, `INVALID_ARGUMENT`, `INTERNAL`, ... */
  code: string;
  /** Human-readable text; never a stack. */
  message: string;
  /** Structured details, when the error carried any (a ServiceError's `data`, validation issues). */
  data?: unknown;
  /** Present and `true` when the sender said calling again may succeed. */
  retryable?: boolean;
}

/**
 * Normalises anything a handler threw into a {@link WireError}. A Parley error (including a
 * {@link ServiceError} and a {@link RemoteError} re-thrown from a nested call) keeps its code,
 * message, `data` and `retryable`; any other `Error` becomes `INTERNAL` with its message; a thrown
 * string becomes the message; anything else a generic message. Never includes a stack or a cause.
 *
 * @example
 * ```ts
 * toWireError(new ServiceError("NOT_FOUND", "no user 7")); // { code: "NOT_FOUND", message: "no user 7" }
 * toWireError(new TypeError("x is undefined"));           // { code: "INTERNAL", message: "x is undefined" }
 * ```
 */
export function toWireError(thrown: unknown): WireError {
  if (isParleyError(thrown)) {
    const wire: WireError = {
      code: thrown.code === "" ? INTERNAL_ERROR_CODE : thrown.code,
      message: String(thrown.message),
    };
    const data = (thrown as { data?: unknown }).data;
    if (data !== undefined) wire.data = data;
    if (thrown.retryable === true) wire.retryable = true;
    return wire;
  }
  if (thrown instanceof Error) {
    return {
      code: INTERNAL_ERROR_CODE,
      message: thrown.message || thrown.name || "handler failed",
    };
  }
  if (typeof thrown === "string") return { code: INTERNAL_ERROR_CODE, message: thrown };
  const kind = thrown === null ? "null" : typeof thrown;
  return { code: INTERNAL_ERROR_CODE, message: `handler threw a non-Error value (${kind})` };
}

/** True when `value` has the {@link WireError} shape (string `code` and `message`). */
export function isWireError(value: unknown): value is WireError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { code?: unknown; message?: unknown; retryable?: unknown };
  return (
    typeof candidate.code === "string" &&
    candidate.code !== "" &&
    typeof candidate.message === "string" &&
    (candidate.retryable === undefined || typeof candidate.retryable === "boolean")
  );
}

/**
 * Builds the caller-side {@link RemoteError} from a wire error. The input came from the network, so
 * a malformed one is coerced rather than trusted: a missing or empty code becomes `INTERNAL`, a
 * non-string message a generic one.
 */
export function fromWireError(wire: WireError): RemoteError {
  const raw = (typeof wire === "object" && wire !== null ? wire : {}) as Partial<WireError>;
  const code = typeof raw.code === "string" && raw.code !== "" ? raw.code : INTERNAL_ERROR_CODE;
  const message = typeof raw.message === "string" ? raw.message : "remote error without a message";
  return new RemoteError(code, message, raw.data, { retryable: raw.retryable === true });
}
