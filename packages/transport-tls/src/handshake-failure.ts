/**
 * Turns the errors of a failed TLS handshake (OpenSSL's and Node's codes) into this package's coded
 * errors, with a hint at the usual cause. A client whose connection is dropped before the handshake
 * completes has not failed at TLS: that is a failed connect, retryable like any other.
 */
import { ConnectError } from "@parley/transport-net";
import { errnoOf } from "@parley/transport-net/internal";
import { TlsHandshakeError, TlsHandshakeTimeoutError } from "./errors.js";

/** Which end reports the failure: it decides whom the hint talks about. */
export type HandshakeSide = "client" | "server";

/**
 * Socket errors that say the connection was cut, not that TLS failed: a reset (`ECONNRESET`, also
 * Node's code for a socket closed before the handshake completed), a write to a closed connection
 * (`EPIPE`), a connection aborted by this host's stack (`ECONNABORTED`). A TLS alert or a failed
 * certificate check has a code of its own (`ERR_SSL_*`, `*_CERT*`).
 */
const DROPPED = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

const CERTIFICATE_UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

/** A short explanation of a handshake error code, or undefined when there is nothing to add. */
function hintFor(code: string | undefined, side: HandshakeSide): string | undefined {
  const peer = side === "client" ? "the server" : "the client";
  if (code === undefined) return undefined;
  if (CERTIFICATE_UNTRUSTED.has(code)) {
    return `${peer}'s certificate is not signed by a trusted CA: give its CA in ca${side === "server" ? " (of the server)" : ""}`;
  }
  switch (code) {
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return "the server's certificate does not name this host: connect by a name it lists, or set servername";
    case "CERT_HAS_EXPIRED":
      return `${peer}'s certificate has expired`;
    case "ECONNRESET":
      return "the client closed the connection during the handshake: does it speak TLS, and does it accept this server?";
    case "ERR_SSL_WRONG_VERSION_NUMBER":
    case "ERR_SSL_PACKET_LENGTH_TOO_LONG":
      return `${peer} does not seem to speak TLS (a plain tcp:// endpoint?)`;
    case "ERR_SSL_HTTP_REQUEST":
      return "the client sent a plain HTTP request to this TLS port";
    case "ERR_SSL_UNSUPPORTED_PROTOCOL":
    case "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION":
    case "ERR_SSL_NO_PROTOCOLS_AVAILABLE":
      return "no TLS version both ends accept: check minVersion on both";
    case "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE":
    case "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED":
      return "mutual TLS: the client sent no certificate; give the client cert and key";
    case "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA":
    case "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE":
      return `${peer} does not trust this end's certificate: its ca must include the CA that signed it`;
    default:
      return undefined;
  }
}

/** A failed handshake as `TLS_HANDSHAKE_FAILED` (or `TLS_HANDSHAKE_TIMEOUT` for Node's timeout). */
export function handshakeFailure(
  error: unknown,
  address: string,
  side: HandshakeSide,
): TlsHandshakeError | TlsHandshakeTimeoutError {
  const code = errnoOf(error);
  if (code === "ERR_TLS_HANDSHAKE_TIMEOUT") {
    return new TlsHandshakeTimeoutError(
      `a client of ${address} did not complete its TLS handshake within handshakeTimeoutMs`,
      { cause: error, address },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  const hint = hintFor(code, side);
  const where = side === "client" ? `with ${address}` : `of a client of ${address}`;
  return new TlsHandshakeError(
    `TLS handshake ${where} failed (${code ?? reason})${hint ? `: ${hint}` : ""}`,
    { cause: error, address },
  );
}

/**
 * A client's failed handshake: `CONNECT_FAILED` (retryable) when the connection was dropped before
 * the handshake completed, since nothing was sent over it; else as {@link handshakeFailure}.
 */
export function clientHandshakeFailure(
  error: unknown,
  address: string,
): TlsHandshakeError | TlsHandshakeTimeoutError | ConnectError {
  const code = errnoOf(error);
  if (code !== undefined && DROPPED.has(code)) return handshakeDropped(address, code, error);
  return handshakeFailure(error, address, "client");
}

/**
 * The server cut the connection before the TLS handshake completed (`code`: `ECONNRESET`, `EPIPE`,
 * ...): a server shedding load or restarting, or one that does not speak TLS. Retryable, as a
 * refused connect is: no byte of a call was sent.
 */
export function handshakeDropped(address: string, code: string, cause?: unknown): ConnectError {
  return new ConnectError(
    `${address} closed the connection before the TLS handshake completed (${code}); nothing was sent, so connecting again is safe (a server shedding load or restarting does this, and so does one that does not speak TLS)`,
    { cause, address },
  );
}
