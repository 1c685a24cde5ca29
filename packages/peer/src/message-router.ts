/**
 * Where each inbound message goes, by kind and by where the connection is in its life: before the
 * remote's Hello only Hello is accepted, Requests and Signals only once this side accepted the
 * Hello and until the remote's Bye, Bye and ByeAck only after the handshake went both ways
 * (docs/protocol.md §5 and §9). A ProtocolError thrown here is fatal to the connection.
 */
import type { ByeHandshake } from "./bye-handshake.js";
import { type PeerError, ProtocolError } from "./errors.js";
import type { Heartbeat } from "./heartbeat.js";
import type { HelloExchange } from "./hello-exchange.js";
import type { InboundCalls } from "./inbound-calls.js";
import type { OutboundCalls } from "./outbound-calls.js";
import type { PeerCounters } from "./peer-counters.js";
import type { Frame } from "./split-frame.js";
import { KIND_NAMES, Kind } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";
import type { Message } from "./wire-messages.js";

/** The parts of a peer that messages are routed to. */
export interface RouterParts {
  readonly hello: HelloExchange;
  readonly bye: ByeHandshake;
  readonly inbound: Pick<InboundCalls, "onRequest" | "onSignal" | "onCancel">;
  readonly outbound: Pick<OutboundCalls, "onResponse">;
  readonly heartbeat: Pick<Heartbeat, "onPong">;
  readonly counters: PeerCounters;
  readonly wire: Pick<WireFormat, "encode">;
}

/** What routing needs from the engine itself. */
export interface RouterHooks {
  write(frame: Frame): void;
  /** Answers HelloAck refuse with `message` and ends the connection. */
  refuse(error: PeerError, message: string): void;
  onRemoteBye(lastAcceptedId: number): void;
}

/** Routes inbound messages to a peer's parts, and remembers the last Request it accepted. */
export class MessageRouter {
  /** Id of the last inbound Request accepted: what this side's Bye carries (like GOAWAY). */
  lastAcceptedId = 0;

  constructor(
    private readonly parts: RouterParts,
    private readonly hooks: RouterHooks,
  ) {}

  /** @throws {ProtocolError} PROTOCOL_ERROR when `m` is not allowed where the connection is. */
  dispatch(m: Message): void {
    const { hello, bye, inbound } = this.parts;
    if (hello.remote === undefined) {
      if (m.kind === Kind.Hello) {
        hello.onHello(m);
        return;
      }
      const error = new ProtocolError(
        `expected Hello as the first frame, got ${KIND_NAMES[m.kind]}`,
      );
      this.hooks.refuse(error, error.message);
      return;
    }
    if (hello.refusing && m.kind !== Kind.HelloAck) {
      throw new ProtocolError(
        `expected HelloAck refuse after a refusal Hello, got ${KIND_NAMES[m.kind]}`,
      );
    }
    switch (m.kind) {
      case Kind.Hello:
        throw new ProtocolError("the remote sent a second Hello");
      case Kind.HelloAck:
        hello.onHelloAck(m);
        return;
      case Kind.Request:
        this.expectAccepted("Request");
        if (bye.sent) {
          this.parts.counters.requestsDiscarded++; // crossed our Bye: the remote settles it from Bye
          return;
        }
        inbound.onRequest(m);
        this.lastAcceptedId = m.id;
        return;
      case Kind.Response:
        this.parts.outbound.onResponse(m);
        return;
      case Kind.Signal:
        this.expectAccepted("Signal");
        inbound.onSignal(m);
        return;
      case Kind.Cancel:
        inbound.onCancel(m.id);
        return;
      case Kind.Ping:
        this.hooks.write(this.parts.wire.encode({ kind: Kind.Pong, id: m.id }));
        return;
      case Kind.Pong:
        this.parts.heartbeat.onPong(m.id);
        return;
      case Kind.Bye:
        this.expectHandshakeComplete("Bye");
        this.hooks.onRemoteBye(m.lastAcceptedId);
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
