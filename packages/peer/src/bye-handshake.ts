/**
 * The Bye exchange (docs/protocol.md §7). Each side sends one Bye, carrying the id of the last
 * Request it accepted (like HTTP/2 GOAWAY), and one ByeAck; the ByeAck waits for this side's
 * handlers, and the connection ends once ByeAck went both ways. Nobody waits for a frame the other
 * side will not send, so a simultaneous Bye completes like any other.
 *
 * ```
 *   idle ──sendBye──> sent ──────Bye──────┐
 *     └────Bye────> received ──sendBye───>├─> exchanged ──ByeAck sent──> ack-sent ─────ByeAck──> finished
 *                                         │       └──────ByeAck────────> ack-received ─ByeAck sent─┘
 * ```
 */
import { ProtocolError } from "./errors.js";
import { checkedTransition } from "./peer-state.js";
import type { Frame } from "./split-frame.js";
import { Kind } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";

type ByeState =
  | "idle"
  | "sent"
  | "received"
  | "exchanged"
  | "ack-sent"
  | "ack-received"
  | "finished";

/** What the Bye exchange needs from the peer. */
export interface ByePort {
  /** Queues a frame for this turn's write. */
  write(frame: Frame): void;
  /** ByeAck went both ways: end the connection (FIN). */
  finish(): void;
  /** This side's Bye is written: handlers' `draining` signal fires. */
  onByeSent?(): void;
}

/** Bye state of one peer. */
export class ByeHandshake {
  private state: ByeState = "idle";
  /** Id of the last inbound Request accepted: what this side's Bye carries. */
  private lastAcceptedId = 0;

  constructor(
    private readonly wire: Pick<WireFormat, "encode">,
    private readonly port: ByePort,
  ) {}

  /**
   * This side sent Bye: it discards the Requests that arrive from now on. (Read for every inbound
   * Request, so two comparisons rather than a Set lookup.)
   */
  get sent(): boolean {
    const state = this.state;
    return state !== "idle" && state !== "received";
  }

  /** The remote's Bye arrived: it sends no more Requests or Signals. */
  get received(): boolean {
    const state = this.state;
    return state !== "idle" && state !== "sent";
  }

  /** The connection has been ended after ByeAck both ways. */
  get finished(): boolean {
    return this.state === "finished";
  }

  /** A Request with `id` was accepted: a later Bye tells the remote it was. */
  onRequestAccepted(id: number): void {
    this.lastAcceptedId = id;
  }

  /** Sends Bye once. */
  sendBye(): void {
    if (this.sent) return;
    this.setState(["idle", "received"], this.state === "idle" ? "sent" : "exchanged");
    this.port.write(this.wire.encode({ kind: Kind.Bye, lastAcceptedId: this.lastAcceptedId }));
    this.port.onByeSent?.();
  }

  /** @throws {ProtocolError} PROTOCOL_ERROR on a second Bye. */
  onBye(): void {
    if (this.received) throw new ProtocolError("the remote sent a second Bye");
    this.setState(["idle", "sent"], this.state === "idle" ? "received" : "exchanged");
  }

  /** @throws {ProtocolError} PROTOCOL_ERROR on ByeAck before Bye, or a second ByeAck. */
  onByeAck(): void {
    if (!this.received) throw new ProtocolError("the remote sent ByeAck before its Bye");
    if (this.state === "ack-received" || this.state === "finished") {
      throw new ProtocolError("the remote sent a second ByeAck");
    }
    if (this.state === "ack-sent") {
      this.finish("ack-sent");
      return;
    }
    // A ByeAck answers our Bye, so the remote has it: "received" cannot stand here.
    this.setState("exchanged", "ack-received");
  }

  /**
   * Sends ByeAck when both Byes are through and this side's handlers are done (`handlersIdle`:
   * every accepted request and signal has finished and its Response is written).
   */
  maybeAck(handlersIdle: boolean): void {
    if (!handlersIdle) return;
    if (this.state !== "exchanged" && this.state !== "ack-received") return;
    const from = this.state;
    this.port.write(this.wire.encode({ kind: Kind.ByeAck }));
    if (from === "ack-received") this.finish(from);
    else this.setState(from, "ack-sent");
  }

  private finish(from: ByeState): void {
    this.setState(from, "finished");
    this.port.finish();
  }

  private setState(expectedFrom: ByeState | readonly ByeState[], to: ByeState): void {
    this.state = checkedTransition("Bye handshake", this.state, expectedFrom, to);
  }
}
