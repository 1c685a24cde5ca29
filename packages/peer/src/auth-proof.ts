/**
 * The proofs of protocol 1.2 (docs/protocol.md §5): each side proves it holds a shared secret with
 * an HMAC-SHA-256 over both sides' fresh nonces and the handshake transcript, without sending the
 * secret. A label per direction keeps a proof from being reflected back to its sender; the nonces
 * keep a recorded proof from verifying on another connection; the Hello digests bind what each
 * side advertised; over TLS the session's exported keying material binds the proof to that session.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { AUTH_PROOF_BYTES } from "./wire-constants.js";

/** Label of the TLS exporter both sides over TLS read (RFC 5705, RFC 8446 §7.5). */
export const EXPORTER_LABEL = "EXPORTER-parley-auth";
/** Bytes read from the TLS exporter. */
export const EXPORTER_BYTES = 32;

const CONNECTOR_LABEL = Buffer.from("parley-auth-1.2 connector\0", "latin1");
const ACCEPTOR_LABEL = Buffer.from("parley-auth-1.2 acceptor\0", "latin1");

/** Which side a proof is for. */
export type ProofRole = "connector" | "acceptor";

/** What a proof covers besides the secret. */
export interface ProofTranscript {
  /** The connector's 32-byte nonce. */
  readonly connectorNonce: Uint8Array;
  /** The accepting side's 32-byte nonce. */
  readonly acceptorNonce: Uint8Array;
  /** SHA-256 of the connector's Hello payload as sent. */
  readonly connectorHello: Uint8Array;
  /** SHA-256 of the accepting side's Hello payload as sent (its proof only). */
  readonly acceptorHello?: Uint8Array | undefined;
  /** The TLS exporter's 32 bytes, or undefined when the proofs are not bound to a TLS session. */
  readonly exporter: Uint8Array | undefined;
}

/** SHA-256 of a Hello payload (the frame without its length prefix). */
export function helloDigest(payload: Uint8Array): Uint8Array {
  return createHash("sha256").update(payload).digest();
}

/**
 * The proof `role` sends: HMAC-SHA-256(secret, label ‖ binding ‖ [exporter] ‖ nonce_c ‖ nonce_s ‖
 * H(Hello_c) [‖ H(Hello_s)]), the acceptor's covering both Hellos.
 */
export function authProof(role: ProofRole, secret: Uint8Array, t: ProofTranscript): Uint8Array {
  const mac = createHmac("sha256", secret);
  mac.update(role === "connector" ? CONNECTOR_LABEL : ACCEPTOR_LABEL);
  mac.update(Uint8Array.of(t.exporter === undefined ? 0 : 1));
  if (t.exporter !== undefined) mac.update(t.exporter);
  mac.update(t.connectorNonce);
  mac.update(t.acceptorNonce);
  mac.update(t.connectorHello);
  if (role === "acceptor") {
    if (t.acceptorHello === undefined) throw new Error("the acceptor's proof covers its Hello");
    mac.update(t.acceptorHello);
  }
  return mac.digest();
}

/**
 * The index of the secret whose proof equals `given`, or -1. Every secret is tried, compared in
 * constant time (equal lengths, `timingSafeEqual`), with no early exit: the time taken says
 * nothing about which secret matched or how much of the proof was right.
 */
export function matchProof(
  role: ProofRole,
  secrets: readonly Uint8Array[],
  t: ProofTranscript,
  given: Uint8Array,
): number {
  let matched = -1;
  const ok = given.length === AUTH_PROOF_BYTES;
  const probe = ok ? given : new Uint8Array(AUTH_PROOF_BYTES);
  for (let i = 0; i < secrets.length; i++) {
    const equal = timingSafeEqual(authProof(role, secrets[i]!, t), probe);
    if (equal && ok && matched < 0) matched = i;
  }
  return matched;
}

/**
 * The index of the secret equal to `token` (a 1.0/1.1 peer's token under allowLegacyAuth), or -1:
 * both hashed, every secret compared in constant time, no early exit.
 */
export function matchToken(secrets: readonly Uint8Array[], token: string | undefined): number {
  const given = createHash("sha256")
    .update(token ?? "", "utf8")
    .digest();
  let matched = -1;
  for (let i = 0; i < secrets.length; i++) {
    const equal = timingSafeEqual(createHash("sha256").update(secrets[i]!).digest(), given);
    if (equal && token !== undefined && matched < 0) matched = i;
  }
  return matched;
}
