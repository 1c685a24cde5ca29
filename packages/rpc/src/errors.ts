import { ParleyError } from "@parley/framing";
import { refusalFix } from "./refusals.js";

/** Every code this package raises itself (the engine's and transports' codes pass through). */
export const RPC_ERROR_CODES = [
  "NOT_CONNECTED",
  "CLIENT_CLOSED",
  "RECONNECT_FAILED",
  "DEADLINE_EXCEEDED",
  "RECONNECT_REFUSED",
  "NOT_PARLEY",
  "INTERNAL",
  "SIGNAL_DROPPED",
] as const;

/** A code raised by @parley/rpc. */
export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

/** A call or signal was made while the client had no connection, and it was not queued. */
export class NotConnectedError extends ParleyError {
  override readonly name = "NotConnectedError";
  readonly code = "NOT_CONNECTED" as const;
  /** The call was never sent: retrying it is safe, idempotent or not. */
  readonly notExecuted = true;
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

/** A call was made on, or was waiting in, a client that has been closed. */
export class ClientClosedError extends ParleyError {
  override readonly name = "ClientClosedError";
  readonly code = "CLIENT_CLOSED" as const;
  /** The call was never sent. */
  readonly notExecuted = true;
  constructor(options: { cause?: unknown } = {}) {
    super("client was closed; the call was not sent", options);
  }
}

/** The client gave up reconnecting after `reconnect.maxAttempts` failed attempts. */
export class ReconnectFailedError extends ParleyError {
  override readonly name = "ReconnectFailedError";
  readonly code = "RECONNECT_FAILED" as const;
  constructor(attempts: number, options: { cause?: unknown } = {}) {
    super(
      `gave up reconnecting after ${attempts} attempts; raise reconnect.maxAttempts to keep trying`,
      options,
    );
  }
}

/** A call's deadline passed while it waited for a reconnect; it was never sent, so a retry is safe. */
export class WaitDeadlineError extends ParleyError {
  override readonly name = "WaitDeadlineError";
  readonly code = "DEADLINE_EXCEEDED" as const;
  readonly notExecuted = true;
  constructor(deadline: number) {
    super(
      `deadline passed at ${new Date(deadline).toISOString()} while waiting for a reconnect; the call was not sent`,
      {
        retryable: true,
      },
    );
  }
}

/**
 * The server refused a reconnect in a way no retry can fix (contract, auth, protocol version,
 * codec): the client stopped reconnecting at once. `cause` is the refusal; the message names the fix.
 */
export class ReconnectRefusedError extends ParleyError {
  override readonly name = "ReconnectRefusedError";
  readonly code = "RECONNECT_REFUSED" as const;
  /** The call was never sent. */
  readonly notExecuted = true;
  constructor(refusal: Error & { code?: string }) {
    super(
      `the server refused the reconnect (${refusal.code}): ${refusal.message}. Retrying cannot ` +
        `fix this, so the client stopped: ${refusalFix({ code: refusal.code ?? "" })}, then connect again`,
      { cause: refusal },
    );
  }
}
