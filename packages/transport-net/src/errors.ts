/**
 * Errors raised by @parley/transport-net. Codes are API: once released, a code is never renamed or
 * reused. The README's error table and {@link TRANSPORT_ERROR_CODES} are kept in step by a test.
 *
 * Every error names the address it concerns (`address`) and, where the operating system reported
 * the failure, keeps the original Node.js error (with its `errno` code) as `cause`.
 */
import { ParleyError, type ParleyErrorOptions } from "@parley/framing";

/** Every code this package raises, in README order. `INVALID_OPTION` comes from @parley/framing. */
export const TRANSPORT_ERROR_CODES = [
  "INVALID_OPTION",
  "INVALID_ADDRESS",
  "ADDRESS_IN_USE",
  "LISTEN_FAILED",
  "ACCEPT_FAILED",
  "UNIX_PATH_TOO_LONG",
  "UNIX_PATH_NOT_SOCKET",
  "UNIX_DIRECTORY_INSECURE",
  "CONNECT_REFUSED",
  "CONNECT_TIMEOUT",
  "CONNECT_ABORTED",
  "CONNECT_FAILED",
  "CONNECTION_RESET",
  "CONNECTION_TIMEOUT",
  "CONNECTION_ERROR",
  "ALREADY_ATTACHED",
] as const;

/** Union of every code in {@link TRANSPORT_ERROR_CODES}; `switch (err.code)` narrows on it. */
export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number];

/** Options every transport error accepts. */
export interface TransportErrorOptions extends ParleyErrorOptions {
  /** The address concerned: `tcp://127.0.0.1:7000`, `unix:///run/app.sock`. */
  address?: string;
}

/** Base class of the errors the transports define: a {@link ParleyError} with an `address`. */
export abstract class TransportError extends ParleyError {
  /** The address concerned, as a URL (`tcp://127.0.0.1:7000`), when there is one. */
  readonly address: string | undefined;

  constructor(message: string, defaults: ParleyErrorOptions, options: TransportErrorOptions = {}) {
    super(message, { ...defaults, ...options });
    this.address = options.address;
  }
}

/** An address URL that does not parse, or names a scheme or feature this platform lacks. */
export class InvalidAddressError extends TransportError {
  override readonly name = "InvalidAddressError";
  readonly code = "INVALID_ADDRESS" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** Another socket already listens on the port, or a live server already answers on the Unix path. */
export class AddressInUseError extends TransportError {
  override readonly name = "AddressInUseError";
  readonly code = "ADDRESS_IN_USE" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** The operating system refused to listen (permission, no such interface or directory). */
export class ListenError extends TransportError {
  override readonly name = "ListenError";
  readonly code = "LISTEN_FAILED" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** A listener failed to accept one incoming connection (for example out of file descriptors). */
export class AcceptError extends TransportError {
  override readonly name = "AcceptError";
  readonly code = "ACCEPT_FAILED" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: true }, options);
  }
}

/** A Unix socket path longer than the 107 bytes `sockaddr_un` holds; it is never truncated. */
export class UnixPathTooLongError extends TransportError {
  override readonly name = "UnixPathTooLongError";
  readonly code = "UNIX_PATH_TOO_LONG" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** Something other than a socket (a regular file, a directory) exists at the Unix listen path. */
export class UnixPathNotSocketError extends TransportError {
  override readonly name = "UnixPathNotSocketError";
  readonly code = "UNIX_PATH_NOT_SOCKET" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** `checkDirectory` found the socket's directory not owned by this user or open to others. */
export class UnixDirectoryInsecureError extends TransportError {
  override readonly name = "UnixDirectoryInsecureError";
  readonly code = "UNIX_DIRECTORY_INSECURE" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** Nothing listens at the address: the port refused, or no socket file (or a stale one) is there. */
export class ConnectRefusedError extends TransportError {
  override readonly name = "ConnectRefusedError";
  readonly code = "CONNECT_REFUSED" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: true }, options);
  }
}

/** The connection was not established within `connectTimeoutMs`. */
export class ConnectTimeoutError extends TransportError {
  override readonly name = "ConnectTimeoutError";
  readonly code = "CONNECT_TIMEOUT" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: true }, options);
  }
}

/** The connect `signal` was aborted; `cause` is the signal's reason. */
export class ConnectAbortedError extends TransportError {
  override readonly name = "ConnectAbortedError";
  readonly code = "CONNECT_ABORTED" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/**
 * Connecting failed for another reason (unknown host, unreachable network, permission; over TLS, a
 * server that dropped the connection before the handshake completed).
 */
export class ConnectError extends TransportError {
  override readonly name = "ConnectError";
  readonly code = "CONNECT_FAILED" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: true }, options);
  }
}

/** The peer reset an established connection (TCP RST, `EPIPE`); bytes in flight may be lost. */
export class ConnectionResetError extends TransportError {
  override readonly name = "ConnectionResetError";
  readonly code = "CONNECTION_RESET" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: true }, options);
  }
}

/** An established connection timed out in the kernel (keepalive probes or retransmits unanswered). */
export class ConnectionTimeoutError extends TransportError {
  override readonly name = "ConnectionTimeoutError";
  readonly code = "CONNECTION_TIMEOUT" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: true }, options);
  }
}

/** Any other failure of an established connection; `cause` holds the socket's error. */
export class ConnectionError extends TransportError {
  override readonly name = "ConnectionError";
  readonly code = "CONNECTION_ERROR" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: true }, options);
  }
}

/** `attach()` was called a second time on the same connection; a connection has one owner. */
export class AlreadyAttachedError extends TransportError {
  override readonly name = "AlreadyAttachedError";
  readonly code = "ALREADY_ATTACHED" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: false }, options);
  }
}
