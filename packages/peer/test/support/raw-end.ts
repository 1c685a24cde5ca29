/**
 * A hand-driven protocol endpoint: writes and reads raw messages on one end of a memory pair, so a
 * test can play a misbehaving or hand-timed remote against a real peer.
 */
import { type Codec, createMsgpackCodec } from "@parley/codec";
import type { MemoryConnection } from "@parley/testkit";
import { Kind, PROTOCOL_MAJOR, PROTOCOL_MINOR } from "../../src/wire-constants.js";
import { createBinaryWireFormat, type WireFormat } from "../../src/wire-format.js";
import type { HelloMessage, Message } from "../../src/wire-messages.js";

/** A Hello as a default peer with no contracts would send it, with `overrides`. */
export function rawHello(overrides: Partial<HelloMessage> = {}): HelloMessage {
  return {
    kind: Kind.Hello,
    major: PROTOCOL_MAJOR,
    minor: PROTOCOL_MINOR,
    codec: "msgpack",
    serves: undefined,
    calls: undefined,
    maxFrameBytes: 4 * 1024 * 1024,
    maxConcurrentRequests: 1_000_000,
    heartbeatIntervalMs: 0,
    heartbeatTimeoutMs: 10_000,
    authToken: undefined,
    metadata: undefined,
    ...overrides,
  };
}

export class RawEnd {
  readonly messages: Message[] = [];
  readonly wire: WireFormat;
  readonly closed: Promise<Error | undefined>;
  ended = false;
  /** Answer the peer's FIN with a FIN, as a socket with allowHalfOpen off does. */
  endOnEnd = false;
  private cursor = 0;
  private wake: (() => void) | undefined;

  constructor(
    readonly connection: MemoryConnection,
    codec: Codec = createMsgpackCodec(),
  ) {
    // It reads whatever the peer writes, stream frames included.
    this.wire = createBinaryWireFormat(codec, { maxFrameBytes: 16 * 1024 * 1024, streams: true });
    let onClose!: (error: Error | undefined) => void;
    this.closed = new Promise((resolve) => {
      onClose = resolve;
    });
    connection.attach({
      onData: (chunk) =>
        this.wire.push(chunk, (m) => {
          this.messages.push(m);
          this.wake?.();
        }),
      onEnd: () => {
        this.ended = true;
        if (this.endOnEnd) this.connection.end();
        this.wake?.();
      },
      onDrain: () => {},
      onClose: (error) => {
        onClose(error);
        this.wake?.();
      },
    });
  }

  /** Writes `messages` in one write. */
  send(...messages: Message[]): void {
    this.connection.write(messages.map((m) => this.wire.encode(m)));
  }

  /** Completes the handshake from this side: Hello + HelloAck accept. */
  handshake(hello: Partial<HelloMessage> = {}): void {
    this.send(rawHello(hello), { kind: Kind.HelloAck, accepted: true });
  }

  /** The next message not yet returned that matches `kind` (others are skipped). */
  async next(kind?: number, timeoutMs = 5_000): Promise<Message> {
    const start = Date.now();
    for (;;) {
      while (this.cursor < this.messages.length) {
        const m = this.messages[this.cursor++]!;
        if (kind === undefined || m.kind === kind) return m;
      }
      if (Date.now() - start > timeoutMs) throw new Error(`no message of kind ${kind} arrived`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 5);
      });
    }
  }

  /** All messages of `kind` received so far. */
  all(kind: number): Message[] {
    return this.messages.filter((m) => m.kind === kind);
  }
}
