/**
 * The Bye exchange (docs/protocol.md §7) as four flags and the rules that read them. Each side sends
 * one Bye and one ByeAck; the ByeAck waits for this side's handlers, and the connection ends once
 * ByeAck went both ways. Nobody waits for a frame the other side will not send, so a simultaneous
 * Bye completes like any other.
 */
import { ProtocolError } from "./errors.js";

/** What the Bye exchange needs from the peer. */
export interface ByePort {
  /** Writes Bye carrying the id of the last request this side accepted. */
  writeBye(): void;
  writeByeAck(): void;
  /** Every accepted request and signal has finished and its Response is written. */
  handlersIdle(): boolean;
  /** ByeAck went both ways: end the connection (FIN). */
  finish(): void;
}

/** Bye state of one peer. */
export class ByeHandshake {
  /** This side sent Bye: it discards the Requests that arrive from now on. */
  sent = false;
  /** The remote's Bye arrived: it sends no more Requests or Signals. */
  received = false;
  ackSent = false;
  ackReceived = false;
  /** The connection has been ended after ByeAck both ways. */
  finished = false;

  constructor(private readonly port: ByePort) {}

  /** Sends Bye once. */
  sendBye(): void {
    if (this.sent) return;
    this.sent = true;
    this.port.writeBye();
  }

  /** @throws {ProtocolError} PROTOCOL_ERROR on a second Bye. */
  onBye(): void {
    if (this.received) throw new ProtocolError("the remote sent a second Bye");
    this.received = true;
  }

  /** @throws {ProtocolError} PROTOCOL_ERROR on ByeAck before Bye, or a second ByeAck. */
  onByeAck(): void {
    if (!this.received) throw new ProtocolError("the remote sent ByeAck before its Bye");
    if (this.ackReceived) throw new ProtocolError("the remote sent a second ByeAck");
    this.ackReceived = true;
    this.maybeFinish();
  }

  /** Sends ByeAck when both Byes are through and this side's handlers are done. */
  maybeAck(): void {
    if (!this.received || !this.sent || this.ackSent || !this.port.handlersIdle()) return;
    this.ackSent = true;
    this.port.writeByeAck();
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (!this.ackSent || !this.ackReceived || this.finished) return;
    this.finished = true;
    this.port.finish();
  }
}
