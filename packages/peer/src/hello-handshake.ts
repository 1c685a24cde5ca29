/**
 * The Hello handshake (docs/protocol.md §5), all of it: this side's Hello, the checks on the
 * remote's (in the order the spec gives, with messages that read the same from either side: "the
 * calling side", "the serving side"), the token check (possibly asynchronous, holding what arrives
 * meanwhile), HelloAck accept or refuse, the remote's HelloAck, and the handshake timeout.
 *
 * The accepting side (`side: "server"`) writes its own Hello only when it accepts the remote's
 * (or a refusal Hello when it refuses first): a connector that has not authenticated never sees it.
 *
 * ```
 *   awaiting-hello ──Hello ok──> [verifying] ──> accepted ──HelloAck──> complete
 *        │    └──refusal Hello──> remote-refusing ──HelloAck refuse──> (peer fails)
 *        └──bad Hello / auth failed / close()──> refused (HelloAck refuse written, peer ends)
 * ```
 *
 * A field added to the Hello is a change here: build it in {@link ownHello}, check the remote's in
 * {@link HelloHandshake.check}.
 */

import { InvalidOptionError } from "@parley/framing";
import {
  advertisedMembers,
  agreeContracts,
  type ContractGaps,
  contractId,
} from "./contract-agreement.js";
import {
  CodecMismatchError,
  ConnectionRefusedError,
  HandshakeTimeoutError,
  type PeerError,
  ProtocolError,
  peerErrorForRemoteCode,
  UnauthenticatedError,
  UnavailableError,
  VersionMismatchError,
} from "./errors.js";
import { withoutShapes } from "./hello-members.js";
import type { Ending } from "./peer-ending.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import { checkedTransition } from "./peer-state.js";
import type { CloseInitiator, CloseReason, HelloInfo, RemoteHello } from "./peer-types.js";
import {
  KIND_NAMES,
  Kind,
  MAX_HELLO_BYTES,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
} from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";
import type { HelloAckMessage, HelloMessage, Message } from "./wire-messages.js";

/** Where this side is in the handshake. */
type HelloState =
  | "awaiting-hello"
  | "verifying"
  | "accepted"
  | "complete"
  | "remote-refusing"
  | "refused";

/** Kinds only a ready side sends: one arriving while this side still verifies is fatal. */
const HELD_NEVER: ReadonlySet<number> = new Set([Kind.Request, Kind.Signal, Kind.Bye, Kind.ByeAck]);
const NO_METADATA = Object.freeze(Object.create(null));

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
  /**
   * The serving side writes its Hello only once it has accepted the remote's (token verified):
   * whoever connects learns nothing of it, its `authToken` least of all, before authenticating.
   */
  private readonly helloWaits: boolean;
  private helloSent = false;

  /** @throws {InvalidOptionError} INVALID_OPTION when metadata and authToken make Hello too large. */
  constructor(
    private readonly o: ResolvedPeerOptions,
    private readonly wire: WireFormat,
    private readonly remoteAddress: string,
    private readonly port: HelloPort,
  ) {
    this.frame = encodeHello(o, wire);
    this.helloWaits = o.side === "server";
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
    this.setState(["awaiting-hello", "verifying"], "refused");
    this.sendHello(this.wire.encode(refusalHello(this.o.maxFrameBytes)));
    this.port.write(this.wire.encode(helloAckRefuse(error.code, message)));
    this.port.fail(error, "local", "error", "end");
  }

  /**
   * close() before ready. No Bye: the remote, not ready either, would take it as a protocol error.
   * A remote this side has not answered yet is refused UNAVAILABLE (retry elsewhere), as a server
   * shutting down refuses; one already accepted sees the FIN. Nothing was sent, so nothing is lost.
   */
  abandon(): void {
    const error = new UnavailableError(
      "close() was called during the handshake; the peer never became ready",
    );
    if (!this.accepted) {
      const message = "the remote closed during the handshake; retry on a new connection";
      this.sendHello(this.wire.encode(refusalHello(this.o.maxFrameBytes)));
      this.port.write(this.wire.encode(helloAckRefuse(error.code, message)));
    }
    this.port.fail(error, "local", "abort", "end");
  }

  /** Why the remote's Hello is unacceptable (version, codec, contracts), or undefined. */
  check(m: HelloMessage): PeerError | undefined {
    if (m.major !== PROTOCOL_MAJOR) {
      return new VersionMismatchError(
        `protocol version mismatch: one side speaks ${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}, the other ` +
          `${m.major}.${m.minor}; upgrade the older side`,
      );
    }
    const codec = this.o.codec.name;
    if (m.codec !== codec) {
      return new CodecMismatchError(
        `codec mismatch: one side encodes bodies with ${codec}, the other with ${m.codec}; ` +
          "give both peers the same codec option",
      );
    }
    const agreement = agreeContracts(this.o, m);
    if (!agreement.ok) return agreement.error;
    this.gaps = agreement.gaps;
    return undefined;
  }

  private onHello(m: HelloMessage): void {
    this.remote = m;
    this.wire.setRemoteMaxFrameBytes(m.maxFrameBytes);
    if (m.codec === "") {
      this.state = "remote-refusing"; // a refusal Hello: its HelloAck refuse comes next
      return;
    }
    const problem = this.check(m);
    if (problem !== undefined) {
      this.refuse(problem, problem.message);
      return;
    }
    const verify = this.o.verifyAuth;
    if (verify === undefined) {
      this.accept();
      return;
    }
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = verify(m.authToken, toRemoteHello(m, this.remoteAddress));
    } catch (error) {
      this.afterAuth(false, error);
      return;
    }
    if (typeof verdict !== "object" || verdict === null) {
      this.afterAuth(verdict === true);
      return;
    }
    this.setState("awaiting-hello", "verifying");
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
      this.port.fail(refusalError(m.code, m.message), "remote", "error", "end");
      return;
    }
    if (this.state === "remote-refusing") {
      throw new ProtocolError("a refusal Hello must be refused");
    }
    this.setState("accepted", "complete");
    this.stop();
    const remote = toRemoteHello(this.remote!, this.remoteAddress);
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
      const local = new UnauthenticatedError("the remote's authToken was rejected by verifyAuth", {
        cause: error,
      });
      this.refuse(local, "authentication failed");
      return;
    }
    this.accept();
    if (held !== undefined) this.port.replay(held);
  }

  private accept(): void {
    this.sendHello(this.frame);
    this.port.write(this.wire.encode({ kind: Kind.HelloAck, accepted: true }));
    this.setState(["awaiting-hello", "verifying"], "accepted");
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

/** This side's Hello: every field the handshake advertises is built here. */
export function ownHello(o: ResolvedPeerOptions): HelloMessage {
  return {
    kind: Kind.Hello,
    major: PROTOCOL_MAJOR,
    minor: PROTOCOL_MINOR,
    codec: o.codec.name,
    serves: contractId(o.serves),
    calls: contractId(o.calls),
    maxFrameBytes: o.maxFrameBytes,
    maxConcurrentRequests: o.maxConcurrentHandlers + o.maxQueuedRequests,
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs,
    authToken: o.authToken,
    metadata: o.metadata,
    servesMembers: advertisedMembers(o.serves),
    callsMembers: withoutShapes(advertisedMembers(o.calls)),
  };
}

/**
 * This side's Hello frame, encoded by `wire`. A served contract whose shapes would make it too
 * large goes without them (docs/protocol.md §3: differing members then count as incompatible).
 * @throws {InvalidOptionError} INVALID_OPTION when metadata and authToken make it too large.
 */
export function encodeHello(o: ResolvedPeerOptions, wire: WireFormat): Uint8Array {
  const full = ownHello(o);
  let hello = wire.encode(full);
  if (hello.length - wire.frameOverheadBytes > MAX_HELLO_BYTES && full.servesMembers) {
    hello = wire.encode({ ...full, servesMembers: withoutShapes(full.servesMembers) });
  }
  if (hello.length - wire.frameOverheadBytes > MAX_HELLO_BYTES) {
    throw new InvalidOptionError(
      `metadata and authToken make a Hello larger than ${MAX_HELLO_BYTES} bytes; send less`,
    );
  }
  return hello;
}

/**
 * A refusal Hello: an empty codec name tells the other side to skip its checks and expect
 * HelloAck refuse next (what `refuseConnection` sends before its refusal).
 */
export function refusalHello(maxFrameBytes: number): HelloMessage {
  return {
    kind: Kind.Hello,
    major: PROTOCOL_MAJOR,
    minor: PROTOCOL_MINOR,
    codec: "",
    serves: undefined,
    calls: undefined,
    maxFrameBytes,
    maxConcurrentRequests: 0,
    heartbeatIntervalMs: 0,
    heartbeatTimeoutMs: 0,
    authToken: undefined,
    metadata: undefined,
  };
}

/** HelloAck refuse with `code` (the remote's `ready` rejects with it) and `message`. */
export function helloAckRefuse(code: string, message: string): HelloAckMessage {
  return { kind: Kind.HelloAck, accepted: false, code, message };
}

/** The remote's Hello as the public API shows it (without the token). */
function toRemoteHello(m: HelloMessage, remoteAddress: string): RemoteHello {
  return Object.freeze({
    protocolVersion: Object.freeze({ major: m.major, minor: m.minor }),
    codec: m.codec,
    serves: m.serves,
    calls: m.calls,
    maxFrameBytes: m.maxFrameBytes,
    maxConcurrentRequests: m.maxConcurrentRequests,
    heartbeatIntervalMs: m.heartbeatIntervalMs,
    heartbeatTimeoutMs: m.heartbeatTimeoutMs,
    metadata: m.metadata ?? NO_METADATA,
    remoteAddress,
  });
}

/** The local error for a HelloAck refusal. */
function refusalError(code: string, message: string): PeerError {
  const text = `the remote refused the connection (${code}): ${message}`;
  return peerErrorForRemoteCode(code, text) ?? new ConnectionRefusedError(text, code);
}
