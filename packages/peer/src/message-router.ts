/**
 * Where each inbound message goes, by kind and by where the connection is in its life: the Hello
 * handshake takes what is its own (and everything before the remote's Hello); Requests and Signals
 * only once this side accepted the Hello and until the remote's Bye; Bye and ByeAck only after the
 * handshake went both ways (docs/protocol.md §5 and §9). A ProtocolError thrown here is fatal to
 * the connection.
 */
import type { ByeHandshake } from "./bye-handshake.js";
import { ProtocolError } from "./errors.js";
import type { Heartbeat } from "./heartbeat.js";
import type { HelloHandshake } from "./hello-handshake.js";
import type { InboundCalls } from "./inbound-calls.js";
import type { OutboundCalls } from "./outbound-calls.js";
import type { PeerCounters } from "./peer-counters.js";
import type { ServedCall, StreamSession } from "./stream-session.js";
import { Kind } from "./wire-constants.js";
import type { Message } from "./wire-messages.js";

/** The parts of a peer that messages are routed to. */
export interface RouterParts {
  readonly hello: Pick<HelloHandshake, "intercept" | "accepted" | "complete">;
  readonly bye: Pick<ByeHandshake, "sent" | "received" | "onRequestAccepted" | "onByeAck">;
  readonly inbound: Pick<InboundCalls, "onRequest" | "onSignal" | "onCancel"> & {
    callFor(id: number): ServedCall | undefined;
  };
  readonly outbound: Pick<OutboundCalls, "onResponse" | "callFor">;
  readonly streams: Pick<StreamSession, "onItem" | "onData" | "onCredit">;
  readonly heartbeat: Pick<Heartbeat, "onPing" | "onPong">;
  readonly counters: PeerCounters;
  /** The remote's Bye reaches the engine, which starts closing (or acknowledges). */
  onRemoteBye(lastAcceptedId: number): void;
}

/** Routes inbound messages to a peer's parts. */
export class MessageRouter {
  constructor(private readonly parts: RouterParts) {}

  /**
   * `bytes` is the size of `m`'s frame payload (what stream credit counts).
   * @throws {ProtocolError} PROTOCOL_ERROR when `m` is not allowed where the connection is.
   */
  dispatch(m: Message, bytes: number): void {
    const { hello, bye, inbound } = this.parts;
    // Once the handshake is complete, only Hello, HelloAck and Auth are still the handshake's to
    // judge (Auth belongs to the handshake alone: it refuses one out of turn).
    const forHello =
      !hello.complete || m.kind === Kind.Hello || m.kind === Kind.HelloAck || m.kind === Kind.Auth;
    if (forHello && hello.intercept(m)) return;
    switch (m.kind) {
      case Kind.Request:
        this.expectAccepted("Request");
        if (bye.sent) {
          this.parts.counters.requestsDiscarded++; // crossed our Bye: the remote settles it from Bye
          return;
        }
        inbound.onRequest(m);
        bye.onRequestAccepted(m.id);
        return;
      case Kind.Response:
        if (m.more === true) this.parts.streams.onItem(this.parts.outbound.callFor(m.id), m, bytes);
        else this.parts.outbound.onResponse(m);
        return;
      // Data and Credit reach here only in a stream session: the parser refuses them before.
      case Kind.Data:
        this.parts.streams.onData(inbound.callFor(m.id), m, bytes);
        return;
      case Kind.Credit:
        this.parts.streams.onCredit(m, inbound.callFor(m.id), this.parts.outbound.callFor(m.id));
        return;
      case Kind.Signal:
        this.expectAccepted("Signal");
        inbound.onSignal(m);
        return;
      case Kind.Cancel:
        inbound.onCancel(m.id);
        return;
      case Kind.Ping:
        this.parts.heartbeat.onPing(m.id);
        return;
      case Kind.Pong:
        this.parts.heartbeat.onPong(m.id);
        return;
      case Kind.Bye:
        this.expectHandshakeComplete("Bye");
        this.parts.onRemoteBye(m.lastAcceptedId);
        return;
      case Kind.ByeAck:
        this.expectHandshakeComplete("ByeAck");
        bye.onByeAck();
        return;
    }
  }

  private expectAccepted(what: string): void {
    if (!this.parts.hello.accepted) {
      throw new ProtocolError(`${what} before this side accepted the Hello`);
    }
    if (this.parts.bye.received) throw new ProtocolError(`${what} after the remote's own Bye`);
  }

  /** A remote sends Bye only once it is ready, and it is not before HelloAck went both ways. */
  private expectHandshakeComplete(what: string): void {
    if (!this.parts.hello.complete) {
      throw new ProtocolError(`${what} before the Hello handshake completed`);
    }
  }
}
