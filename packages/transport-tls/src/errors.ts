/**
 * Errors raised by @parley/transport-tls. Codes are API: once released, a code is never renamed or
 * reused. The README's error table and {@link TLS_TRANSPORT_ERROR_CODES} are kept in step by a test.
 *
 * Connecting and listening also raise the codes of `@parley/transport-net` (`CONNECT_REFUSED`,
 * `ADDRESS_IN_USE`, ...), and an established TLS connection closes with its connection codes
 * (`CONNECTION_RESET`, ...).
 */
import { TransportError, type TransportErrorOptions } from "@parley/transport-net";

/** Every code this package adds, in README order. `INVALID_OPTION` comes from @parley/framing. */
export const TLS_TRANSPORT_ERROR_CODES = [
  "INVALID_OPTION",
  "TLS_HANDSHAKE_FAILED",
  "TLS_HANDSHAKE_TIMEOUT",
] as const;

/** Union of every code in {@link TLS_TRANSPORT_ERROR_CODES}; `switch (err.code)` narrows on it. */
export type TlsTransportErrorCode = (typeof TLS_TRANSPORT_ERROR_CODES)[number];

/**
 * The TLS handshake failed: an untrusted or mismatched certificate, no client certificate under
 * mutual TLS, no common protocol version, a TLS alert, or a peer that answers in another protocol.
 * `cause` holds the OpenSSL or Node.js error (its `code`, such as `DEPTH_ZERO_SELF_SIGNED_CERT`).
 * A client whose connection the server drops mid-handshake gets `CONNECT_FAILED` instead.
 */
export class TlsHandshakeError extends TransportError {
  override readonly name = "TlsHandshakeError";
  readonly code = "TLS_HANDSHAKE_FAILED" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: false }, options);
  }
}

/** The TLS handshake did not complete within `handshakeTimeoutMs`. */
export class TlsHandshakeTimeoutError extends TransportError {
  override readonly name = "TlsHandshakeTimeoutError";
  readonly code = "TLS_HANDSHAKE_TIMEOUT" as const;
  constructor(message: string, options?: TransportErrorOptions) {
    super(message, { retryable: true }, options);
  }
}
