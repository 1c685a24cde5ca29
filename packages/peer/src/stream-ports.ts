/**
 * The seams between the call registries and the streams (docs/protocol.md §12): what a pending
 * call and an inbound call see of their stream, and what a stream sees of the connection. Types
 * only, so the registries and the streams depend on this file rather than on each other.
 */
import type { AnyContract, StreamShape } from "@parley/codec";
import type { StreamCredit } from "./credit-window.js";
import type { BufferCounters } from "./item-buffer.js";
import type { Frame } from "./split-frame.js";
import type { CreditStream } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";
import type { CreditMessage, DataMessage, ResponseMessage } from "./wire-messages.js";

/** Counters of streams (a slice of the peer's stats). */
export interface StreamCounters extends BufferCounters {
  streamsOpened: number;
  streamItemsSent: number;
  streamItemsReceived: number;
  creditsSent: number;
  creditsReceived: number;
  /** Items, Data and Credit for a call no longer in flight: counted and dropped (§12.5). */
  lateStreamFrames: number;
}

/** What a stream sees of its connection (the peer's StreamSession). */
export interface StreamContext {
  readonly wire: WireFormat;
  readonly counters: StreamCounters;
  /** This side's window: what it accepts per stream direction. */
  readonly ownWindow: StreamCredit;
  /** The remote's window; undefined when the session has no streams. */
  readonly remoteWindow: StreamCredit | undefined;
  /** The contracts whose outbound checks run (validateOutbound), else undefined. */
  readonly checkedCalls: AnyContract | undefined;
  readonly checkedServes: AnyContract | undefined;
  /** Where item frames are encoded (reusable memory), or undefined for the codec's own. */
  readonly frameMemory: ((bytes: number) => Uint8Array) | undefined;
  write(frame: Frame): void;
  /** The outbox is blocked: pumps wait before pulling their next item. */
  readonly blocked: boolean;
  /** Calls `wake` once the outbox is writable again. */
  whenWritable(wake: () => void): void;
  writeCredit(id: number, stream: CreditStream, credit: StreamCredit): void;
  /** A stream opened; {@link StreamContext.closed} once it ends (`served`: one this side serves). */
  opened(): void;
  closed(served?: boolean): void;
}

/** The caller's side of a stream call, as its pending call sees it (outbound-stream.ts). */
export interface CallerStream {
  readonly shape: StreamShape;
  /** Why the Request cannot be written (no stream session), or undefined. */
  refusal(): Error | undefined;
  /** The Request is written. */
  opened(): void;
  /** The call settled; `error` undefined when its final Response was OK. */
  ended(error: Error | undefined): void;
  onItem(m: ResponseMessage, size: number): void;
  onFinal(m: ResponseMessage): void;
  onCredit(m: CreditMessage): void;
}

/** The handler's side of a stream call, as its inbound call sees it (inbound-stream.ts). */
export interface HandlerStream {
  /** The caller's items (`ctx.inputs`), when the method accepts them. */
  readonly inputs: AsyncIterable<unknown> | undefined;
  /** What the handler returned, as the registry awaits it (a generator pumped to its end). */
  run(returned: unknown): unknown;
  /** The call is over. */
  finish(): void;
  onData(m: DataMessage, size: number): void;
  onCredit(m: CreditMessage): void;
}
