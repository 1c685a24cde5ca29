/**
 * How a peer's end is described: the errors it ends with, the errors its pending calls settle
 * with, and the CloseInfo; and how a failed peer lets go of its connection.
 * The rules (docs/protocol.md §7): a call never written fails UNAVAILABLE (or with the handshake's
 * own not-executed error), a written one CONNECTION_LOST, or ABANDONED when the grace period of a
 * graceful close ran out.
 */

import type { Connection } from "@parley/framing";
import {
  AbandonedError,
  ConnectionLostError,
  PeerError,
  PeerUnresponsiveError,
  SlowConsumerError,
  UnavailableError,
  UnimplementedError,
} from "./errors.js";
import type { CallCounts } from "./outbound-calls.js";
import type { Outbox } from "./outbox.js";
import type { CloseInfo, CloseInitiator, CloseReason } from "./peer-types.js";
import type { PendingCall } from "./pending-call.js";

/** How a failing peer leaves the connection: reset it, end it (FIN, to deliver a refusal), or leave it. */
export type Ending = "reset" | "end" | "none";

/**
 * Lets go of the connection as a failed peer ends. `end`: what is queued is written (a refusal),
 * then FIN, and a reset at `closeTimeoutMs` if the remote never ends too (the timer is returned);
 * `reset`: at once; `none`: the connection is gone already.
 */
export function releaseConnection(
  ending: Ending,
  outbox: Outbox,
  connection: Connection,
  closeTimeoutMs: number,
  error: Error | undefined,
): ReturnType<typeof setTimeout> | undefined {
  if (ending !== "end") {
    outbox.close();
    if (ending === "reset") connection.reset(error);
    return undefined;
  }
  outbox.flush();
  outbox.close();
  connection.end();
  const timer = setTimeout(() => connection.reset(error), closeTimeoutMs);
  timer.unref();
  return timer;
}

/** Why and how a peer ended, when it did not end gracefully. */
export interface Failure {
  readonly initiator: CloseInitiator;
  readonly reason: CloseReason;
  readonly error: Error | undefined;
}

/** No Pong within the heartbeat timeout. */
export function unresponsiveError(timeoutMs: number, remote: string): PeerUnresponsiveError {
  return new PeerUnresponsiveError(
    `no Pong within heartbeatTimeoutMs (${timeoutMs} ms) from ${remote}; ` +
      "the remote is presumed dead",
  );
}

/** Output stayed blocked for the slow-consumer timeout. */
export function slowConsumerError(timeoutMs: number, remote: string): SlowConsumerError {
  return new SlowConsumerError(
    `${remote} read nothing for slowConsumerTimeoutMs (${timeoutMs} ms) while output was blocked`,
  );
}

/** The grace period of a graceful close ran out. */
export function closeTimeoutError(
  timeoutMs: number,
  callsInFlight: number,
  handlersUnfinished: number,
): AbandonedError {
  return new AbandonedError(
    `closeTimeoutMs (${timeoutMs} ms) ran out during the graceful close with ${callsInFlight} ` +
      `calls and ${handlersUnfinished} handlers unfinished; raise closeTimeoutMs`,
  );
}

/** The remote sent FIN without completing Bye (or, still handshaking, before the Hello was done). */
export function endedWithoutByeError(remote: string, handshaking = false): ConnectionLostError {
  return new ConnectionLostError(
    handshaking
      ? `${remote} ended the connection during the handshake, before the Hello was done; is it a Parley peer, and does it accept this one?`
      : `${remote} ended the connection without completing Bye`,
  );
}

/** The connection closed (with `error`, or cleanly) before the peer ended. */
export function connectionClosedError(
  remote: string,
  error: Error | undefined,
  handshaking = false,
): Error {
  const how = error ? `: ${error.message}` : handshaking ? "" : " without Bye";
  const when = handshaking ? " during the handshake" : "";
  return new ConnectionLostError(`the connection to ${remote} closed${when}${how}`, {
    cause: error,
  });
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

/** A promise with its resolve and reject at hand. */
export interface Settlers<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

export function settlers<T>(): Settlers<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** With `callsOptional`, a remote that serves no contract cannot be called: say so locally. */
export function notServedError(
  calls: { readonly name: string } | undefined,
  remoteServes: unknown,
): UnimplementedError | undefined {
  if (calls === undefined || remoteServes !== undefined) return undefined;
  return new UnimplementedError(
    `the remote serves no contract: it connected without serving ${calls.name}, so it cannot be ` +
      "called back; only remotes that pass `serves` can (see ctx.connection.remoteServes)",
  );
}
