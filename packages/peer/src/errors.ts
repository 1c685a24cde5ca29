/**
 * Errors raised by @parley/peer. Codes are API: once released, a code is never renamed or reused.
 * The README's error table and {@link PEER_ERROR_CODES} are kept in step by a test.
 *
 * Every call error says two things besides its code: `retryable` (may the same call be retried as
 * is) and `notExecuted` (the remote handler certainly did not run, so even a non-idempotent call is
 * safe to send again).
 */
import { ParleyError, type ParleyErrorOptions } from "@parley/framing";

/** Every code this package raises, in README order. */
export const PEER_ERROR_CODES = [
  "PROTOCOL_ERROR",
  "HANDSHAKE_TIMEOUT",
  "VERSION_MISMATCH",
  "CODEC_MISMATCH",
  "CONTRACT_MISMATCH",
  "UNAUTHENTICATED",
  "CONNECTION_REFUSED",
  "DEADLINE_EXCEEDED",
  "CANCELLED",
  "UNAVAILABLE",
  "CONNECTION_LOST",
  "ABANDONED",
  "OVERLOADED",
  "UNIMPLEMENTED",
  "MESSAGE_TOO_LARGE",
  "SLOW_CONSUMER",
  "PEER_UNRESPONSIVE",
  "INVALID_OPTION",
] as const;

/** Union of every code in {@link PEER_ERROR_CODES}; `switch (err.code)` narrows on it. */
export type PeerErrorCode = (typeof PEER_ERROR_CODES)[number];

/** Options every peer error accepts. */
export interface PeerErrorOptions extends ParleyErrorOptions {
  /** The remote handler certainly did not run. Defaults to the class's own verdict. */
  notExecuted?: boolean;
}

/** Base class of the errors this package defines. */
export abstract class PeerError extends ParleyError {
  abstract override readonly code: Exclude<PeerErrorCode, "INVALID_OPTION">;
  /** True when the remote handler certainly did not run: the call is safe to send again. */
  readonly notExecuted: boolean;

  constructor(message: string, defaults: PeerErrorOptions, options: PeerErrorOptions = {}) {
    super(message, { ...defaults, ...options });
    this.notExecuted = options.notExecuted ?? defaults.notExecuted ?? false;
  }
}

/** The remote broke the protocol (bad header, frame before Hello, unknown kind); fatal to the connection. */
export class ProtocolError extends PeerError {
  override readonly name = "ProtocolError";
  readonly code = "PROTOCOL_ERROR" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** Hello was not completed both ways within `handshakeTimeoutMs`. */
export class HandshakeTimeoutError extends PeerError {
  override readonly name = "HandshakeTimeoutError";
  readonly code = "HANDSHAKE_TIMEOUT" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: true, notExecuted: true }, options);
  }
}

/** The peers speak different major protocol versions. */
export class VersionMismatchError extends PeerError {
  override readonly name = "VersionMismatchError";
  readonly code = "VERSION_MISMATCH" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false, notExecuted: true }, options);
  }
}

/** The peers encode bodies with different codecs (`msgpack` vs `json`). */
export class CodecMismatchError extends PeerError {
  override readonly name = "CodecMismatchError";
  readonly code = "CODEC_MISMATCH" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false, notExecuted: true }, options);
  }
}

/** The contract one side calls is not the one the other serves (name, version or schemas differ). */
export class ContractMismatchError extends PeerError {
  override readonly name = "ContractMismatchError";
  readonly code = "CONTRACT_MISMATCH" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false, notExecuted: true }, options);
  }
}

/** The remote's `verifyAuth` rejected this side's `authToken` (or ours rejected theirs). */
export class UnauthenticatedError extends PeerError {
  override readonly name = "UnauthenticatedError";
  readonly code = "UNAUTHENTICATED" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false, notExecuted: true }, options);
  }
}

/** The remote refused the connection in its HelloAck with a code this package does not define. */
export class ConnectionRefusedError extends PeerError {
  override readonly name = "ConnectionRefusedError";
  readonly code = "CONNECTION_REFUSED" as const;
  /** The code the remote sent. */
  readonly remoteCode: string;
  constructor(message: string, remoteCode: string, options?: PeerErrorOptions) {
    super(message, { retryable: false, notExecuted: true }, options);
    this.remoteCode = remoteCode;
  }
}

/** The call's deadline passed (`timeoutMs`, `requestTimeoutMs`, or the inherited deadline). */
export class DeadlineExceededError extends PeerError {
  override readonly name = "DeadlineExceededError";
  readonly code = "DEADLINE_EXCEEDED" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** The caller's AbortSignal aborted the call. */
export class CancelledError extends PeerError {
  override readonly name = "CancelledError";
  readonly code = "CANCELLED" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** The call was never executed: not sent, refused by Bye, or the peer is closing. Safe to retry. */
export class UnavailableError extends PeerError {
  override readonly name = "UnavailableError";
  readonly code = "UNAVAILABLE" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: true, notExecuted: true }, options);
  }
}

/** The connection ended while the call was in flight: it may or may not have executed. */
export class ConnectionLostError extends PeerError {
  override readonly name = "ConnectionLostError";
  readonly code = "CONNECTION_LOST" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** `closeTimeoutMs` ran out during a graceful close before the call (or handler) finished. */
export class AbandonedError extends PeerError {
  override readonly name = "AbandonedError";
  readonly code = "ABANDONED" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** The remote's handler queue is full (`maxConcurrentHandlers` + `maxQueuedRequests`); not executed. */
export class OverloadedError extends PeerError {
  override readonly name = "OverloadedError";
  readonly code = "OVERLOADED" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: true, notExecuted: true }, options);
  }
}

/** The method is not in the contract or has no handler. */
export class UnimplementedError extends PeerError {
  override readonly name = "UnimplementedError";
  readonly code = "UNIMPLEMENTED" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false, notExecuted: true }, options);
  }
}

/** A message would exceed the receiving side's `maxFrameBytes`; refused before writing. */
export class MessageTooLargeError extends PeerError {
  override readonly name = "MessageTooLargeError";
  readonly code = "MESSAGE_TOO_LARGE" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: false, notExecuted: true }, options);
  }
}

/** The remote did not read for `slowConsumerTimeoutMs` while output was blocked; connection closed. */
export class SlowConsumerError extends PeerError {
  override readonly name = "SlowConsumerError";
  readonly code = "SLOW_CONSUMER" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: true }, options);
  }
}

/** No Pong within `heartbeatTimeoutMs` of a Ping: the remote is presumed dead; connection closed. */
export class PeerUnresponsiveError extends PeerError {
  override readonly name = "PeerUnresponsiveError";
  readonly code = "PEER_UNRESPONSIVE" as const;
  constructor(message: string, options?: PeerErrorOptions) {
    super(message, { retryable: true }, options);
  }
}

type RemoteCodeErrorClass = new (message: string, options?: PeerErrorOptions) => PeerError;

/** Codes a remote may send in a HelloAck refusal or a Rejected response that map to a class here. */
const BY_REMOTE_CODE: Readonly<Record<string, RemoteCodeErrorClass>> = {
  PROTOCOL_ERROR: ProtocolError,
  VERSION_MISMATCH: VersionMismatchError,
  CODEC_MISMATCH: CodecMismatchError,
  CONTRACT_MISMATCH: ContractMismatchError,
  UNAUTHENTICATED: UnauthenticatedError,
  UNAVAILABLE: UnavailableError,
  OVERLOADED: OverloadedError,
  UNIMPLEMENTED: UnimplementedError,
  MESSAGE_TOO_LARGE: MessageTooLargeError,
  DEADLINE_EXCEEDED: DeadlineExceededError,
};

/**
 * The local error for a code the remote engine sent (HelloAck refusal, Rejected response), or
 * `undefined` when this package has no class for it.
 */
export function peerErrorForRemoteCode(
  code: string,
  message: string,
  options?: PeerErrorOptions,
): PeerError | undefined {
  const ErrorClass = BY_REMOTE_CODE[code];
  return ErrorClass === undefined ? undefined : new ErrorClass(message, options);
}

/** `error` when it is an Error, else an Error carrying its text: what a catch hands on. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
