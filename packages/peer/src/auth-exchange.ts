/**
 * One side's part of the shared-secret proof of protocol 1.2 (docs/protocol.md §5): its nonce,
 * the remote's, the digests of both Hellos, which secret matched, and the rules for peers that
 * cannot prove anything (1.0/1.1, or a side without `authSecrets`). The Hello handshake drives it;
 * the frames it makes and checks are Auth messages.
 *
 * ```
 *   connector                                   acceptor
 *     |---- Hello (1.2) ----------------------------->|
 *     |<--- Auth challenge (nonce_s) -----------------|  nothing else before the proof
 *     |---- Auth proof (nonce_c, proof_c) ----------->|  verifies against every secret
 *     |<--- Hello, Auth proof (proof_s), HelloAck ----|  proves with the secret that matched
 *     |---- HelloAck accept ------------------------->|  after verifying proof_s
 * ```
 */
import { randomBytes } from "node:crypto";
import type { AuthKey } from "./auth-options.js";
import {
  authProof,
  matchProof,
  matchToken,
  type ProofRole,
  type ProofTranscript,
} from "./auth-proof.js";
import { ProtocolError, UnauthenticatedError } from "./errors.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import { AUTH_NONCE_BYTES, AuthBinding, AuthStep, Kind } from "./wire-constants.js";
import type { AuthMessage, HelloMessage } from "./wire-messages.js";

/** A refusal: the local error, and what the remote reads in HelloAck refuse. */
export interface AuthRefusal {
  readonly error: UnauthenticatedError;
  readonly told: string;
}

/** What follows the remote's Hello. */
export type AuthPlan = "challenge" | "await-proof" | "proceed" | AuthRefusal;

/** The first protocol minor whose peers prove a secret. */
const AUTH_MINOR = 2;

/** One side's proof state for one connection. */
export class AuthExchange {
  /** The id of the secret the remote proved (or whose token it sent), once known. */
  keyId: string | undefined;
  private matched: AuthKey | undefined;
  private connectorNonce: Uint8Array | undefined;
  private acceptorNonce: Uint8Array | undefined;
  private remoteHello: Uint8Array | undefined;
  private challenged = false;

  /**
   * @param ownHello SHA-256 of this side's Hello payload; made only with `authSecrets`, the one
   *   case a proof (and so the transcript) is computed.
   * @param exporter the TLS session's keying material, when the proofs are bound to it.
   */
  constructor(
    private readonly o: ResolvedPeerOptions,
    private readonly role: ProofRole,
    private readonly ownHello: Uint8Array | undefined,
    private readonly exporter: Uint8Array | undefined,
  ) {}

  private get binding(): number {
    return this.exporter === undefined ? AuthBinding.None : AuthBinding.TlsExporter;
  }

  /** The remote's Hello (digest: SHA-256 of its payload as received) passed the version check. */
  onHello(m: HelloMessage, digest: Uint8Array | undefined): AuthPlan {
    this.remoteHello = digest;
    const secrets = this.o.authSecrets;
    const legacy = m.minor < AUTH_MINOR;
    if (secrets !== undefined && !legacy) {
      if (this.role === "acceptor") return "challenge";
      if (this.challenged) return "await-proof";
      return refusal(
        `the remote (protocol ${m.major}.${m.minor}) proved no secret: it has no authSecrets, or is not the peer holding them; configure the same authSecrets on it`,
        "the connecting side expects a proof of authSecrets and the accepting side has none",
      );
    }
    const tokenIsCredential = this.o.verifyAuth !== undefined && m.authToken !== undefined;
    if ((secrets !== undefined || tokenIsCredential) && !this.o.allowLegacyAuth) {
      return legacyRefusal(m, secrets !== undefined);
    }
    if (secrets !== undefined && this.role === "acceptor") {
      const i = matchToken(
        secrets.map((s) => s.key),
        m.authToken,
      );
      if (i < 0) {
        return refusal(
          "the remote's legacy authToken matches none of authSecrets",
          "authentication failed",
        );
      }
      this.keyId = secrets[i]!.id;
    }
    return "proceed";
  }

  /** The acceptor's challenge: a fresh nonce, the only frame it sends before the proof. */
  challenge(): AuthMessage {
    this.acceptorNonce = randomBytes(AUTH_NONCE_BYTES);
    const nonce = this.acceptorNonce;
    return { kind: Kind.Auth, step: AuthStep.Challenge, binding: this.binding, nonce };
  }

  /** The connector's answer to the acceptor's challenge: its nonce and proof, or a refusal. */
  answer(m: AuthMessage): AuthMessage | AuthRefusal {
    if (this.challenged) throw new ProtocolError("the remote sent a second Auth challenge");
    this.challenged = true;
    const secrets = this.o.authSecrets;
    if (secrets === undefined) {
      return refusal(
        "the remote asks for a proof of a shared secret and this side has no authSecrets; configure them",
        "the connecting side has no authSecrets to prove",
      );
    }
    const mismatch = this.bindingRefusal(m);
    if (mismatch !== undefined) return mismatch;
    this.acceptorNonce = m.nonce!;
    this.connectorNonce = randomBytes(AUTH_NONCE_BYTES);
    this.matched = secrets[0]!;
    this.keyId = this.matched.id;
    const proof = authProof("connector", this.matched.key, this.transcript());
    const nonce = this.connectorNonce;
    return { kind: Kind.Auth, step: AuthStep.ConnectorProof, binding: this.binding, nonce, proof };
  }

  /** The acceptor checks the connector's proof against every secret. */
  verifyConnector(m: AuthMessage): AuthRefusal | undefined {
    const mismatch = this.bindingRefusal(m);
    if (mismatch !== undefined) return mismatch;
    this.connectorNonce = m.nonce!;
    const secrets = this.o.authSecrets!;
    const keys = secrets.map((s) => s.key);
    const i = matchProof("connector", keys, this.transcript(), m.proof!);
    if (i < 0) {
      return refusal(
        "the remote's proof matches none of authSecrets (a wrong or retired secret, a replayed handshake, or a TLS session not shared end to end)",
        "authentication failed",
      );
    }
    this.matched = secrets[i]!;
    this.keyId = this.matched.id;
    return undefined;
  }

  /** The acceptor's proof, with the secret that matched; undefined when no proof was verified. */
  acceptorProof(): AuthMessage | undefined {
    if (this.role !== "acceptor" || this.matched === undefined || !this.connectorNonce) {
      return undefined;
    }
    const proof = authProof("acceptor", this.matched.key, this.transcript());
    return { kind: Kind.Auth, step: AuthStep.AcceptorProof, binding: this.binding, proof };
  }

  /** The connector checks the acceptor's proof, made with the secret it proved. */
  verifyAcceptor(m: AuthMessage): AuthRefusal | undefined {
    const mismatch = this.bindingRefusal(m);
    if (mismatch !== undefined) return mismatch;
    if (matchProof("acceptor", [this.matched!.key], this.transcript(), m.proof!) === 0) {
      return undefined;
    }
    return refusal(
      "the remote's proof does not match this side's secret: it is not the peer holding authSecrets (or a TLS-terminating proxy sits between)",
      "the accepting side's proof does not match the connecting side's secret",
    );
  }

  /**
   * What to add to a refusal's message: a 1.0/1.1 remote refusing UNAUTHENTICATED wanted a token
   * in clear, which this side (with secrets, without allowLegacyAuth) did not send.
   */
  refusalHint(code: string, remote: HelloMessage | undefined): string {
    const legacy = remote !== undefined && remote.minor < AUTH_MINOR;
    if (code !== "UNAUTHENTICATED" || !legacy || this.o.allowLegacyAuth) return "";
    return ` (the remote speaks protocol ${remote.major}.${remote.minor}: it can check only a token sent in clear; upgrade it to 1.2 with authSecrets, or set allowLegacyAuth: true and authToken on this side)`;
  }

  private transcript(): ProofTranscript {
    const own = this.ownHello!;
    const remote = this.remoteHello;
    return {
      connectorNonce: this.connectorNonce!,
      acceptorNonce: this.acceptorNonce!,
      connectorHello: this.role === "connector" ? own : remote!,
      acceptorHello: this.role === "acceptor" ? own : remote,
      exporter: this.exporter,
    };
  }

  private bindingRefusal(m: AuthMessage): AuthRefusal | undefined {
    if (m.binding === this.binding) return undefined;
    const remoteBound = m.binding === AuthBinding.TlsExporter;
    return refusal(
      `the remote's proof ${remoteBound ? "is" : "is not"} bound to a TLS session and this side's ${remoteBound ? "is not" : "is"}: ` +
        "a TLS-terminating proxy between the two breaks the binding (if that proxy is trusted, set " +
        "authChannelBinding: false on both sides)",
      "the two sides disagree on binding the proof to a TLS session (a TLS-terminating proxy?)",
    );
  }
}

function refusal(message: string, told: string): AuthRefusal {
  return { error: new UnauthenticatedError(message), told };
}

function legacyRefusal(m: HelloMessage, hasSecrets: boolean): AuthRefusal {
  if (hasSecrets) {
    return refusal(
      `the remote speaks protocol ${m.major}.${m.minor}, which can prove no secret (its only credential is a token sent in clear); upgrade it to 1.2 with authSecrets, or set allowLegacyAuth: true on this side`,
      "this peer needs a proof of authSecrets (protocol 1.2); upgrade, or it must set allowLegacyAuth: true",
    );
  }
  return refusal(
    "the remote sent its authToken in clear in its Hello; accept that only with allowLegacyAuth: true, or give both sides authSecrets (protocol 1.2)",
    "this peer does not take a token sent in clear; use authSecrets (protocol 1.2), or it must set allowLegacyAuth: true",
  );
}
