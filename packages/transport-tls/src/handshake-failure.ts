/**
 * Turns the errors of a failed TLS handshake (OpenSSL's and Node's codes) into this package's coded
 * errors, with a hint at the usual cause.
 */
import { errnoOf } from "@parley/transport-net/internal";
import { TlsHandshakeError, TlsHandshakeTimeoutError } from "./errors.js";

/** Which end reports the failure: it decides whom the hint talks about. */
export type HandshakeSide = "client" | "server";

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
      return `${peer} closed the connection during the handshake: does it speak TLS, and does it accept this ${side === "client" ? "client (mutual TLS)" : "server"}?`;
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
