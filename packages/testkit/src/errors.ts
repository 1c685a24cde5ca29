import { ParleyError } from "@parley/framing";

/**
 * Every code `@parley/testkit` raises. `INVALID_OPTION` is raised through `InvalidOptionError` from
 * `@parley/framing`; the other codes belong to the classes below. Once released, a code is never
 * renamed or reused.
 */
export const TESTKIT_ERROR_CODES = [
  "INVALID_OPTION",
  "ECONNRESET",
  "ALREADY_ATTACHED",
  "LEAKED_HANDLES",
  "WAIT_FAILED",
] as const;

/** A code from {@link TESTKIT_ERROR_CODES}: `switch (err.code)` narrows on it. */
export type TestkitErrorCode = (typeof TESTKIT_ERROR_CODES)[number];

/**
 * The other side of a memory pair was reset or crashed. The code matches Node's socket error for a
 * TCP reset, so code that handles real sockets handles the memory pair the same way.
 */
export class ConnectionResetError extends ParleyError {
  override readonly name = "ConnectionResetError";
  readonly code = "ECONNRESET" as const;

  constructor(message: string, options: ErrorOptions = {}) {
    // A new connection may well succeed: the reset says nothing about the next attempt.
    super(message, { ...options, retryable: true });
  }
}

/** `attach()` was called a second time on the same connection; a connection has one owner. */
export class AlreadyAttachedError extends ParleyError {
  override readonly name = "AlreadyAttachedError";
  readonly code = "ALREADY_ATTACHED" as const;
}

/** Handles or file descriptors opened during a test were still open when it ended. */
export class LeakedHandlesError extends ParleyError {
  override readonly name = "LeakedHandlesError";
  readonly code = "LEAKED_HANDLES" as const;
}

/**
 * A `ConnectionRecorder` wait ended without its condition: it timed out, or the connection ended or
 * closed first. The message says what was awaited and what had arrived.
 */
export class RecorderWaitError extends ParleyError {
  override readonly name = "RecorderWaitError";
  readonly code = "WAIT_FAILED" as const;
}
