/**
 * The Hello handshake (docs/protocol.md §5), all of it: this side's Hello, the shared-secret proof
 * of protocol 1.2 (with {@link AuthExchange}), the checks on the remote's Hello (in the order the
 * spec gives, with messages that read the same from either side: "the calling side", "the serving
 * side"), the custom `verifyAuth` (possibly asynchronous, holding what arrives meanwhile), the
 * `admit` hook, HelloAck accept or refuse, the remote's HelloAck, and the handshake timeout.
 *
 * The accepting side (`side: "server"`) writes its own Hello only when it accepts the remote's
 * (or a refusal Hello when it refuses first): a connector that has not authenticated never sees it;
 * with `authSecrets` it sees only the 40-byte challenge before it has proved itself.
 *
 * ```
 *   awaiting-hello ──Hello──> [challenged | awaiting-proof] ──proof ok──> [verifying] ──> accepted
 *        │    └──refusal Hello──> remote-refusing ──HelloAck refuse──> (peer fails)     │
 *        └──bad Hello / proof / auth failed / close()──> refused          HelloAck──> complete
 * ```
 *
 * A field added to the Hello is built in {@link ownHello}, the remote's checked in hello-checks.ts.
 */

import { InvalidOptionError } from "@parley/framing";
import { AuthExchange } from "./auth-exchange.js";
import { helloDigest } from "./auth-proof.js";
import type { ContractGaps } from "./contract-agreement.js";
import {
  HandshakeTimeoutError,
  type PeerError,
  ProtocolError,
  UnauthenticatedError,
  UnavailableError,
} from "./errors.js";
import { checkHello } from "./hello-checks.js";
import {
  encodeHello,
  helloAckRefuse,
  refusalError,
  refusalHello,
  toRemoteHello,
} from "./hello-frames.js";
import type { Ending } from "./peer-ending.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import { checkedTransition } from "./peer-state.js";
import type { CloseInitiator, CloseReason, HelloInfo, RemoteHello } from "./peer-types.js";
import { AuthStep, KIND_NAMES, Kind, PROTOCOL_MAJOR, PROTOCOL_MINOR } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";
import type { AuthMessage, HelloAckMessage, HelloMessage, Message } from "./wire-messages.js";

/** Where this side is in the handshake. */
type HelloState =
  | "awaiting-hello"
  /** The acceptor sent its challenge and waits for the connector's proof. */
  | "challenged"
  /** The connector has the acceptor's Hello and waits for its proof. */
  | "awaiting-proof"
  | "verifying"
  | "accepted"
  | "complete"
  | "remote-refusing"
  | "refused";

/** States in which this side has not yet answered the remote's Hello. */
const UNANSWERED: readonly HelloState[] = [
  "awaiting-hello",
  "challenged",
  "awaiting-proof",
  "verifying",
];

/** Kinds only a ready side sends: one arriving while this side still verifies is fatal. */
const HELD_NEVER: ReadonlySet<number> = new Set([Kind.Request, Kind.Signal, Kind.Bye, Kind.ByeAck]);

/** What the handshake needs from the peer. */
export interface HelloPort {
  /** Queues a frame for this turn's write. */
  write(frame: Uint8Array): void;
  /** Ends the peer: refused either way, timed out, or abandoned. */
  fail(error: PeerError, initiator: CloseInitiator, reason: CloseReason, ending: Ending): void;
  /** Hello went both ways. */
  ready(info: HelloInfo): void;
  /** Stops / resumes reading while an asynchronous verifier runs. */
  pause(): void;
  resume(): void;
  /** Routes messages held during verification, in order. */
  replay(messages: readonly Message[]): void;
  /** The peer has ended: a late verdict changes nothing. */
  isClosed(): boolean;
  warn(message: string, error?: unknown): void;
}

/** The Hello handshake of one peer. */
export class HelloHandshake {
  /** The remote's Hello, once received. */
  remote: HelloMessage | undefined;
  /** Members of the called contract the remote does not serve (1.1), once its Hello passed. */
  gaps: ContractGaps | undefined;
  private state: HelloState = "awaiting-hello";
  private held: Message[] | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly frame: Uint8Array;
  /** The serving side writes its Hello only once it has accepted the remote's (after its proof). */
  private readonly helloWaits: boolean;
  private helloSent = false;
  private readonly auth: AuthExchange;

  /**
   * @param exporter the TLS session's keying material when the proofs are bound to it.
   * @throws {InvalidOptionError} INVALID_OPTION when metadata and authToken make Hello too large,
   *   or `authSecrets` meet a wire format that cannot give the remote Hello's digest.
   */
  constructor(
    private readonly o: ResolvedPeerOptions,
    private readonly wire: WireFormat,
    private readonly remoteAddress: string,
    private readonly port: HelloPort,
    exporter?: Uint8Array,
  ) {
    this.frame = encodeHello(o, wire);
    this.helloWaits = o.side === "server";
    if (o.authSecrets !== undefined && wire.lastHelloDigest === undefined) {
      throw new InvalidOptionError(
        `authSecrets need a wire format that gives the remote Hello's digest; ${wire.name} does not`,
      );
    }
    // Only a proof reads the digests (SHA-256 of up to 64 KiB): without secrets, none is made.
    const own =
      o.authSecrets === undefined
        ? undefined
        : helloDigest(this.frame.subarray(wire.frameOverheadBytes));
    this.auth = new AuthExchange(o, this.helloWaits ? "acceptor" : "connector", own, exporter);
  }

  /** This side accepted the remote's Hello: it takes Requests and Signals from now on. */
  get accepted(): boolean {
    return this.state === "accepted" || this.state === "complete";
  }

  /** HelloAck accept went both ways. */
  get complete(): boolean {
    return this.state === "complete";
  }

  /** Starts the handshake timeout and writes this side's Hello, unless it waits for the remote's. */
  start(): void {
    this.timer = setTimeout(() => this.onTimeout(), this.o.handshakeTimeoutMs);
    this.timer.unref();
    if (!this.helloWaits) this.sendHello(this.frame);
  }

  /** Clears the timeout; idempotent. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Takes `m` when the handshake owns it (Hello, HelloAck, anything before the remote's Hello or
   * held during verification); false when it is for the router.
   * @throws {ProtocolError} PROTOCOL_ERROR for a message the handshake forbids where it is.
   */
  intercept(m: Message): boolean {
    if (m.kind === Kind.Auth) {
      this.onAuth(m);
      return true;
    }
    switch (this.state) {
      case "awaiting-hello":
        if (m.kind === Kind.Hello) this.onHello(m);
        else this.protocolRefusal(`expected Hello as the first frame, got ${KIND_NAMES[m.kind]}`);
        return true;
      case "verifying":
        if (HELD_NEVER.has(m.kind)) {
          throw new ProtocolError(`${KIND_NAMES[m.kind]} before this side accepted the Hello`);
        }
        this.held!.push(m);
        return true;
      case "remote-refusing":
        if (m.kind !== Kind.HelloAck) {
          throw new ProtocolError(
            `expected HelloAck refuse after a refusal Hello, got ${KIND_NAMES[m.kind]}`,
          );
        }
        break;
    }
    if (m.kind === Kind.Hello) throw new ProtocolError("the remote sent a second Hello");
    if (m.kind !== Kind.HelloAck) return false;
    this.onHelloAck(m);
    return true;
  }

  /** Answers HelloAck refuse (`message` is what the remote reads), then ends the connection. */
  refuse(error: PeerError, message: string): void {
    this.setState(UNANSWERED, "refused");
    this.sendHello(this.wire.encode(refusalHello(this.o.maxFrameBytes)));
    this.port.write(this.wire.encode(helloAckRefuse(error.code, message)));
    this.port.fail(error, "local", "error", "end");
  }

  /**
   * close() before ready. Once this side accepted the remote's Hello, the remote may be ready and
   * calling: true, and the peer says Bye once ready (the HelloAck is one trip away; the handshake
   * timeout bounds the wait). Before, the handshake is abandoned, without Bye (the remote, not
   * ready, would take it as a protocol error): it is refused UNAVAILABLE (retry elsewhere), as a
   * server shutting down refuses. Nothing was sent, so nothing is lost.
   */
  close(): boolean {
    if (this.accepted) return true;
    // A verifier still running holds reads paused: resumed, so the remote's FIN is read and the
    // connection ends now, not at the close timer. Its late verdict finds the port closed.
    if (this.held !== undefined) {
      this.held = undefined;
      this.port.resume();
    }
    const message = "the remote closed during the handshake; retry on a new connection";
    const error = new UnavailableError(
      "close() was called during the handshake; the peer never became ready",
    );
    this.sendHello(this.wire.encode(refusalHello(this.o.maxFrameBytes)));
    this.port.write(this.wire.encode(helloAckRefuse(error.code, message)));
    this.port.fail(error, "local", "abort", "end");
    return false;
  }

  private onHello(m: HelloMessage): void {
    this.remote = m;
    this.wire.setRemoteMaxFrameBytes(m.maxFrameBytes);
    if (m.codec === "") {
      this.state = "remote-refusing"; // a refusal Hello: its HelloAck refuse comes next
      return;
    }
    if (m.major !== PROTOCOL_MAJOR) {
      this.afterProof(m);
      return;
    }
    const plan = this.auth.onHello(m, this.wire.lastHelloDigest?.());
    if (plan === "challenge") {
      this.port.write(this.wire.encode(this.auth.challenge()));
      this.setState("awaiting-hello", "challenged");
    } else if (plan === "await-proof") {
      this.setState("awaiting-hello", "awaiting-proof");
    } else if (plan === "proceed") {
      this.afterProof(m);
    } else {
      this.refuse(plan.error, plan.told);
    }
  }

  /** An Auth frame: the challenge, the connector's proof or the acceptor's, each in its turn. */
  private onAuth(m: AuthMessage): void {
    const turn = this.helloWaits
      ? this.state === "challenged" && m.step === AuthStep.ConnectorProof
      : (this.state === "awaiting-hello" && m.step === AuthStep.Challenge) ||
        (this.state === "awaiting-proof" && m.step === AuthStep.AcceptorProof);
    if (!turn) throw new ProtocolError(`Auth (step ${m.step}) out of turn, in state ${this.state}`);
    if (m.step === AuthStep.Challenge) {
      const answer = this.auth.answer(m);
      if ("error" in answer) this.refuse(answer.error, answer.told);
      else this.port.write(this.wire.encode(answer));
      return;
    }
    const refusal =
      m.step === AuthStep.ConnectorProof
        ? this.auth.verifyConnector(m)
        : this.auth.verifyAcceptor(m);
    if (refusal !== undefined) this.refuse(refusal.error, refusal.told);
    else this.afterProof(this.remote!);
  }

  /** The remote proved what it had to: the checks of the Hello, then `verifyAuth`, then accept. */
  private afterProof(m: HelloMessage): void {
    const hello = checkHello(this.o, m);
    if (!hello.ok) {
      this.refuse(hello.error, hello.error.message);
      return;
    }
    this.gaps = hello.gaps;
    const verify = this.o.verifyAuth;
    if (verify === undefined) {
      this.accept();
      return;
    }
    let verdict: boolean | Promise<boolean>;
    try {
      const token = this.o.allowLegacyAuth ? m.authToken : undefined;
      verdict = verify(token, this.remoteHello(m));
    } catch (error) {
      this.afterAuth(false, error);
      return;
    }
    if (typeof verdict !== "object" || verdict === null) {
      this.afterAuth(verdict === true);
      return;
    }
    this.setState(["awaiting-hello", "challenged", "awaiting-proof"], "verifying");
    this.held = [];
    this.port.pause();
    Promise.resolve(verdict).then(
      (ok) => this.afterAuth(ok === true),
      (error) => this.afterAuth(false, error),
    );
  }

  private onHelloAck(m: HelloAckMessage): void {
    if (this.state === "complete") throw new ProtocolError("the remote sent a second HelloAck");
    if (!m.accepted) {
      const hint = this.auth.refusalHint(m.code, this.remote);
      this.port.fail(refusalError(m.code, m.message + hint), "remote", "error", "end");
      return;
    }
    if (this.state === "remote-refusing") {
      throw new ProtocolError("a refusal Hello must be refused");
    }
    if (this.state !== "accepted") {
      throw new ProtocolError(`HelloAck accept before this side accepted (state ${this.state})`);
    }
    this.setState("accepted", "complete");
    this.stop();
    const remote = this.remoteHello(this.remote!);
    const minor = Math.min(PROTOCOL_MINOR, remote.protocolVersion.minor);
    this.port.ready({ remote, protocolVersion: { major: PROTOCOL_MAJOR, minor } });
  }

  private afterAuth(ok: boolean, error?: unknown): void {
    if (this.port.isClosed()) return;
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      this.port.resume();
    }
    if (!ok) {
      if (error !== undefined) this.port.warn("verifyAuth threw; the connection is refused", error);
      const local = new UnauthenticatedError("the remote was rejected by verifyAuth", {
        cause: error,
      });
      this.refuse(local, "authentication failed");
      return;
    }
    this.accept();
    if (held !== undefined && this.accepted) this.port.replay(held);
  }

  /** Consults `admit`, then writes this side's Hello (and its proof) and HelloAck accept. */
  private accept(): void {
    const refusal = this.o.admit?.(this.remoteHello(this.remote!));
    if (refusal !== undefined) {
      this.refuse(refusal, refusal.message);
      return;
    }
    this.sendHello(this.frame);
    const proof = this.auth.acceptorProof();
    if (proof !== undefined) this.port.write(this.wire.encode(proof));
    this.port.write(this.wire.encode({ kind: Kind.HelloAck, accepted: true }));
    this.setState(UNANSWERED, "accepted");
  }

  private remoteHello(m: HelloMessage): RemoteHello {
    return toRemoteHello(m, this.remoteAddress, this.auth.keyId);
  }

  /** Writes a Hello (this side's, or a refusal Hello) unless one went already. */
  private sendHello(frame: Uint8Array): void {
    if (this.helloSent) return;
    this.helloSent = true;
    this.port.write(frame);
  }

  private protocolRefusal(message: string): void {
    const error = new ProtocolError(message);
    this.refuse(error, error.message);
  }

  private onTimeout(): void {
    const error = new HandshakeTimeoutError(
      `no Hello/HelloAck exchange within handshakeTimeoutMs (${this.o.handshakeTimeoutMs} ms) ` +
        `with ${this.remoteAddress}; is the remote a Parley peer?`,
    );
    this.port.fail(error, "local", "timeout", "reset");
  }

  private setState(expectedFrom: HelloState | readonly HelloState[], to: HelloState): void {
    this.state = checkedTransition("Hello handshake", this.state, expectedFrom, to);
  }
}
