/**
 * Streams on one connection (docs/protocol.md §12): whether the session has them (both Hellos
 * carry stream windows), the windows each way, the handler side's admission rules (a stream method
 * needs a stream session, a matching MORE flag, a deadline or the contract's Infinity, and room
 * under `maxConcurrentStreams`), the routing of items, Data and Credit to their call's stream, the
 * late frames that are counted and dropped, and the `draining` signal handlers see once Bye went.
 */
import type { AnyContract, WireError } from "@parley/codec";
import type { StreamCredit } from "./credit-window.js";
import { ProtocolError } from "./errors.js";
import type { InboundCall } from "./handler-run.js";
import { InboundStream } from "./inbound-stream.js";
import type { PendingCall } from "./pending-call.js";
import type { Frame } from "./split-frame.js";
import type { ResolvedStreamOptions } from "./stream-options.js";
import type { StreamContext, StreamCounters } from "./stream-ports.js";
import { type CreditStream, CreditStream as Direction, Kind } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";
import type {
  CreditMessage,
  DataMessage,
  HelloMessage,
  RequestMessage,
  ResponseMessage,
} from "./wire-messages.js";

/** A served call as the routing sees it. */
export type ServedCall = Pick<InboundCall<unknown>, "stream" | "method">;

/** The peer's options a session reads. */
export interface SessionOptions extends ResolvedStreamOptions {
  readonly serves: AnyContract | undefined;
  readonly checkedCalls: AnyContract | undefined;
  readonly checkedServes: AnyContract | undefined;
}

/** Streams of one peer. */
export class StreamSession implements StreamContext {
  /** The remote's windows once both Hellos carried windows; undefined: no streams. */
  remoteWindow: StreamCredit | undefined;
  readonly ownWindow: StreamCredit;
  readonly checkedCalls: AnyContract | undefined;
  readonly checkedServes: AnyContract | undefined;
  /** The served contract declares stream methods: requests need the stream checks. */
  private readonly servesStreams: boolean;
  private readonly maxConcurrentStreams: number;
  /** Streams open, both ways; and those this side serves. */
  private open = 0;
  private served = 0;
  private drainController: AbortController | undefined;
  /** Pumps waiting for the outbox to take more. */
  private writableWaiters: (() => void)[] = [];

  constructor(
    o: SessionOptions,
    readonly wire: WireFormat,
    readonly write: (frame: Frame) => void,
    readonly counters: StreamCounters,
    private readonly outboxBlocked: () => boolean,
    /**
     * Where item frames are encoded: the connection's reused frame memory (frame-slabs.ts), the
     * same as its calls', or undefined for the codec's.
     */
    readonly frameMemory: ((bytes: number) => Uint8Array) | undefined,
  ) {
    this.ownWindow = o.streamWindow;
    this.checkedCalls = o.checkedCalls;
    this.checkedServes = o.checkedServes;
    this.maxConcurrentStreams = o.maxConcurrentStreams;
    const serves = o.serves;
    this.servesStreams =
      serves?.requestNames.some((m) => serves.streamOf(m) !== undefined) ?? false;
  }

  get blocked(): boolean {
    return this.outboxBlocked();
  }

  whenWritable(wake: () => void): void {
    this.writableWaiters.push(wake);
  }

  /** The outbox takes more: waiting pumps go on. */
  onWritable(): void {
    const waiters = this.writableWaiters;
    if (waiters.length === 0) return;
    this.writableWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Streams open now (calls made and served). */
  get openCount(): number {
    return this.open;
  }

  /** Aborts once this side sends Bye: handlers of endless streams end cleanly on it. */
  get draining(): AbortSignal {
    this.drainController ??= new AbortController();
    return this.drainController.signal;
  }

  /** The handshake completed: streams exist when the remote's Hello carried windows too. */
  onReady(remote: HelloMessage | undefined): void {
    const window = remote !== undefined && remote.minor >= 1 ? remote.streamWindow : undefined;
    if (window === undefined || this.wire.enableStreams === undefined) return;
    this.wire.enableStreams();
    this.remoteWindow = window;
  }

  /** This side sent Bye. */
  drain(): void {
    this.drainController ??= new AbortController();
    this.drainController.abort();
  }

  opened(): void {
    this.open++;
    this.counters.streamsOpened++;
  }

  /** A stream ended; `served`: one this side served. */
  closed(served = false): void {
    this.open--;
    if (served) this.served--;
  }

  writeCredit(id: number, stream: CreditStream, credit: StreamCredit): void {
    this.counters.creditsSent++;
    const { items, bytes } = credit;
    this.write(this.wire.encode({ kind: Kind.Credit, id, stream, items, bytes }));
  }

  /** Why an inbound Request must be REJECTED for stream reasons, or undefined (§12.1, §12.7). */
  refusal(m: RequestMessage, contract: AnyContract | undefined): WireError | undefined {
    if (!this.servesStreams && m.more !== true && m.timeoutMs !== 0) return undefined;
    const shape = contract?.streamOf(m.method);
    if (shape === undefined) {
      if (m.more === true) return invalid(`${m.method} accepts no items, yet the Request set MORE`);
      if (m.timeoutMs === 0)
        return invalid(`${m.method} is not a stream method: it needs a deadline`);
      return undefined;
    }
    if (this.remoteWindow === undefined) {
      const message = `${m.method} is a stream method; this session has no streams`;
      return { code: "UNIMPLEMENTED", message };
    }
    if ((m.more === true) !== shape.accepts) {
      return invalid(
        `${m.method} ${shape.accepts ? "accepts items: MORE must be set" : "accepts no items"}`,
      );
    }
    if (m.timeoutMs === 0 && shape.timeoutMs !== Number.POSITIVE_INFINITY) {
      return invalid(`${m.method} has a deadline in its contract; timeoutMs 0 is not allowed`);
    }
    if (this.served >= this.maxConcurrentStreams) {
      const message =
        `${this.served} streams open (maxConcurrentStreams ${this.maxConcurrentStreams}); ` +
        "raise maxConcurrentStreams on the serving peer";
      return { code: "OVERLOADED", message };
    }
    return undefined;
  }

  /** Gives an accepted Request of a stream method its stream (`call.stream`). */
  attach(call: InboundCall<unknown>, contract: AnyContract | undefined): void {
    if (!this.servesStreams) return;
    const shape = contract?.streamOf(call.method);
    if (shape === undefined) return;
    this.served++;
    call.stream = new InboundStream(this, call, shape, contract!);
  }

  /** A Response item (MORE): to its call's stream, or late. */
  onItem(call: PendingCall | undefined, m: ResponseMessage, size: number): void {
    if (call === undefined) {
      this.counters.lateStreamFrames++;
      return;
    }
    if (call.stream === undefined) {
      throw new ProtocolError(
        `Response item for call ${m.id} (${call.method}), which is not a stream`,
      );
    }
    call.stream.onItem(m, size);
  }

  /** A Data frame: to its call's stream, or late. */
  onData(call: ServedCall | undefined, m: DataMessage, size: number): void {
    if (call === undefined) {
      this.counters.lateStreamFrames++;
      return;
    }
    if (call.stream === undefined) {
      throw new ProtocolError(`Data for call ${m.id} (${call.method}), which accepts no items`);
    }
    call.stream.onData(m, size);
  }

  /** A Credit frame: `served` is the call of that id this side serves, `made` the one it made. */
  onCredit(m: CreditMessage, served: ServedCall | undefined, made: PendingCall | undefined): void {
    const call = m.stream === Direction.Outputs ? served : made;
    if (call === undefined) {
      this.counters.lateStreamFrames++;
      return;
    }
    if (call.stream === undefined) {
      throw new ProtocolError(`Credit for call ${m.id} (${call.method}), which is not a stream`);
    }
    call.stream.onCredit(m);
  }
}

function invalid(message: string): WireError {
  return { code: "INVALID_ARGUMENT", message };
}
