/**
 * The Hello exchange as it unfolds on one connection (docs/protocol.md §5): the remote's Hello is
 * checked, the token verified (possibly asynchronously, holding what arrives meanwhile), HelloAck
 * answered, the remote's HelloAck awaited. The peer is told when both ways are done, or why not.
 */
import { type PeerError, ProtocolError, UnauthenticatedError } from "./errors.js";
import { checkRemoteHello, refusalError, toRemoteHello } from "./hello-handshake.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import { KIND_NAMES, Kind } from "./wire-constants.js";
import type { HelloAckMessage, HelloMessage, Message } from "./wire-messages.js";

/** Kinds only a ready side sends: one arriving while this side still verifies is fatal. */
const HELD_NEVER: ReadonlySet<number> = new Set([Kind.Request, Kind.Signal, Kind.Bye, Kind.ByeAck]);

/** What the exchange needs from the peer. */
export interface HelloPort {
  readonly remoteAddress: string;
  /** Writes HelloAck accept. */
  accept(): void;
  /** This side refuses: writes HelloAck refuse (`message` is what the remote reads), then ends. */
  refuse(error: PeerError, message: string): void;
  /** The remote refused this side. */
  refused(error: PeerError): void;
  /** Hello went both ways. */
  ready(remote: HelloMessage): void;
  /** Stops / resumes reading while an asynchronous verifier runs. */
  pause(): void;
  resume(): void;
  /** Routes messages held during verification, in order. */
  replay(messages: readonly Message[]): void;
  isClosed(): boolean;
  warn(message: string, error?: unknown): void;
}

/** Hello state of one peer. */
export class HelloExchange {
  /** The remote's Hello, once received. */
  remote: HelloMessage | undefined;
  /** This side has sent HelloAck accept: it takes Requests and Signals from now on. */
  accepted = false;
  private ackReceived = false;
  private held: Message[] | undefined;

  constructor(
    private readonly o: ResolvedPeerOptions,
    private readonly port: HelloPort,
  ) {}

  /** HelloAck accept went both ways: the handshake is complete (the peer is, or is about to be, ready). */
  get complete(): boolean {
    return this.accepted && this.ackReceived;
  }

  /** The remote sent a refusal Hello (empty codec): only its HelloAck refuse may follow. */
  get refusing(): boolean {
    return this.remote?.codec === "";
  }

  /**
   * Holds `m` while an asynchronous verifier runs; false when nothing is being held.
   * @throws {ProtocolError} PROTOCOL_ERROR for a Request, Signal, Bye or ByeAck (the remote cannot
   * be ready yet, and only a ready side sends them).
   */
  hold(m: Message): boolean {
    if (this.held === undefined) return false;
    if (HELD_NEVER.has(m.kind)) {
      throw new ProtocolError(`${KIND_NAMES[m.kind]} before this side accepted the Hello`);
    }
    this.held.push(m);
    return true;
  }

  /** The remote's Hello (the first frame). */
  onHello(m: HelloMessage): void {
    this.remote = m;
    if (m.codec === "") return; // a refusal Hello: its HelloAck refuse comes next
    const problem = checkRemoteHello(m, this.o);
    if (problem !== undefined) {
      this.port.refuse(problem, problem.message);
      return;
    }
    const verify = this.o.verifyAuth;
    if (verify === undefined) {
      this.accept();
      return;
    }
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = verify(m.authToken, toRemoteHello(m, this.port.remoteAddress));
    } catch (error) {
      this.afterAuth(false, error);
      return;
    }
    if (typeof verdict !== "object" || verdict === null) {
      this.afterAuth(verdict === true);
      return;
    }
    this.held = [];
    this.port.pause();
    Promise.resolve(verdict).then(
      (ok) => this.afterAuth(ok === true),
      (error) => this.afterAuth(false, error),
    );
  }

  /** @throws {ProtocolError} PROTOCOL_ERROR on a second HelloAck or an accepted refusal Hello. */
  onHelloAck(m: HelloAckMessage): void {
    if (this.ackReceived) throw new ProtocolError("the remote sent a second HelloAck");
    if (!m.accepted) {
      this.port.refused(refusalError(m.code, m.message));
      return;
    }
    if (this.refusing) throw new ProtocolError("a refusal Hello must be refused");
    this.ackReceived = true;
    this.maybeReady();
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
      const local = new UnauthenticatedError("the remote's authToken was rejected by verifyAuth", {
        cause: error,
      });
      this.port.refuse(local, "authentication failed");
      return;
    }
    this.accept();
    if (held !== undefined) this.port.replay(held);
  }

  private accept(): void {
    this.port.accept();
    this.accepted = true;
    this.maybeReady();
  }

  private maybeReady(): void {
    if (this.accepted && this.ackReceived) this.port.ready(this.remote!);
  }
}
