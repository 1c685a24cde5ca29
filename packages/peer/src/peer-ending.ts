/**
 * How a peer's end is described: the errors its pending calls settle with, and the CloseInfo.
 * The rules (docs/protocol.md §7): a call never written fails UNAVAILABLE (or with the handshake's
 * own not-executed error), a written one CONNECTION_LOST, or ABANDONED when the grace period of a
 * graceful close ran out.
 */
import { AbandonedError, ConnectionLostError, PeerError, UnavailableError } from "./errors.js";
import type { CallCounts } from "./outbound-calls.js";
import type { CloseInfo, CloseInitiator, CloseReason } from "./peer-types.js";
import type { PendingCall } from "./pending-call.js";

/** Why and how a peer ended, when it did not end gracefully. */
export interface Failure {
  readonly initiator: CloseInitiator;
  readonly reason: CloseReason;
  readonly error: Error | undefined;
}

/** The error for a call still queued locally when the peer failed. */
export function waitingCallError(cause: Error | undefined): Error {
  // A handshake failure (UNAUTHENTICATED, CONTRACT_MISMATCH...) explains itself better.
  if (cause instanceof PeerError && cause.notExecuted) return cause;
  return new UnavailableError(`the call was never sent: ${cause?.message ?? "destroyed locally"}`, {
    cause,
  });
}

/** The error for a call in flight when the peer failed. */
export function inFlightCallError(call: PendingCall, failure: Failure): Error {
  const cause = failure.error;
  const why = cause?.message ?? "destroyed locally";
  if (failure.reason === "timeout" && cause instanceof AbandonedError) {
    return new AbandonedError(`${call.method} was abandoned: ${why}`, { cause });
  }
  return new ConnectionLostError(`connection lost while ${call.method} was in flight: ${why}`, {
    cause,
  });
}

/** What `closed` resolves with. */
export function closeInfo(
  failure: Failure | undefined,
  gracefulInitiator: CloseInitiator,
  counts: CallCounts,
): CloseInfo {
  const calls = { ...counts };
  if (failure === undefined) return { initiator: gracefulInitiator, reason: "graceful", calls };
  const { initiator, reason, error } = failure;
  return error === undefined ? { initiator, reason, calls } : { initiator, reason, error, calls };
}
