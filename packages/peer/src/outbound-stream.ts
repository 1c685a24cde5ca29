/**
 * The caller's side of one stream call (docs/protocol.md §12.6): the handler's items buffered for
 * the caller's `for await` (credit returned as it reads), the caller's `inputs` sent as Data under
 * the handler's credit, then end of input. It hangs off the call's {@link PendingCall}, whose
 * settlement (final Response, error, cancel, deadline, connection loss) ends it: the items end
 * (after those already buffered) and the inputs' `return()` runs, so their producer's `finally`
 * does.
 *
 * ```
 *   start ──Request written──> open ──items / Data / Credit──> ... ──settled──> ended
 *                                └── for-await break: Cancel, result CANCELLED ──┘
 * ```
 */
import type { AnyContract, StreamShape } from "@parley/codec";
import type { StreamCredit } from "./credit-window.js";
import { CancelledError, ProtocolError, UnimplementedError } from "./errors.js";
import { ItemBuffer, type ItemBufferOwner } from "./item-buffer.js";
import { ItemPump, type ItemPumpOwner, type Source } from "./item-pump.js";
import type { PendingCall } from "./pending-call.js";
import type { Frame } from "./split-frame.js";
import { closeUnread, iteratorOf, type StreamInputSource } from "./stream-inputs.js";
import type { CallerStream, StreamContext } from "./stream-ports.js";
import { CreditStream, Kind, ResponseStatus } from "./wire-constants.js";
import type { CreditMessage, ResponseMessage } from "./wire-messages.js";

/** What a stream call needs from the outbound registry: a way to give the call up. */
export interface StreamCallOwner {
  /** Settles `call` with `error` here and sends Cancel when it was written. */
  giveUp(call: PendingCall, error: Error): void;
}

/** The caller's side of one stream call. */
export class OutboundStream implements ItemBufferOwner, ItemPumpOwner, CallerStream {
  /** The handler's items, when the method yields. */
  readonly items: ItemBuffer | undefined;
  private pump: ItemPump | undefined;
  /** The inputs' iterator, made as the call starts (before anything is written). */
  private source: Source | undefined;
  private call: PendingCall | undefined;
  private owner: StreamCallOwner | undefined;
  private over = false;
  private itemsReceived = 0;
  /**
   * The contract whose schema each item passes on receipt, or undefined when none does (no
   * contract, or `validateInbound: false`, where `parseItem` would hand the item back unchanged).
   */
  private readonly itemChecker: AnyContract | undefined;

  constructor(
    private readonly session: StreamContext,
    readonly method: string,
    readonly shape: StreamShape,
    private readonly inputs: StreamInputSource | undefined,
    contract: AnyContract | undefined,
  ) {
    const s = session;
    this.items = shape.yields ? new ItemBuffer(s.ownWindow, this, s.counters) : undefined;
    this.itemChecker = contract?.validateInbound === false ? undefined : contract;
  }

  /**
   * The call this stream belongs to, and who settles it. The inputs' iterator is made here, so
   * inputs that cannot be read (a locked ReadableStream) fail the call before its Request is
   * written, and a call that ends while still queued can close them.
   * @returns what making the inputs' iterator threw: the call fails with it, nothing written.
   */
  attach(call: PendingCall, owner: StreamCallOwner): Error | undefined {
    this.call = call;
    this.owner = owner;
    this.session.opened();
    if (this.inputs === undefined) return undefined;
    try {
      this.source = iteratorOf(this.inputs);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    return undefined;
  }

  /** Why the Request cannot be written: no stream session with this remote (nothing is sent). */
  refusal(): Error | undefined {
    if (this.session.remoteWindow !== undefined) return undefined;
    return new UnimplementedError(
      `${this.method} is a stream method, and the remote does not do streams (it offered no ` +
        "stream windows in its Hello: protocol 1.0, or 1.1 without streams); nothing was sent",
      { notExecuted: true },
    );
  }

  /** The Request is written: the caller's items may flow. */
  opened(): void {
    const source = this.source;
    if (source === undefined) return;
    const window = this.session.remoteWindow as StreamCredit;
    this.pump = new ItemPump(window, source, this, this.session);
    this.pump.run().then(
      () => this.inputsDone(),
      (error) => this.giveUp(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** The call settled (`error` undefined: the final Response was OK). Once. */
  ended(error: Error | undefined): void {
    if (this.over) return;
    this.over = true;
    if (this.call !== undefined) this.session.closed(); // refused before it started: never opened
    if (this.pump !== undefined) this.pump.stop();
    else if (this.source !== undefined) closeUnread(this.inputs!, this.source); // ended unsent
    this.items?.end(error);
  }

  /**
   * A Response item for this call.
   * @throws {ProtocolError} PROTOCOL_ERROR when the method yields nothing or the item had no credit.
   */
  onItem(m: ResponseMessage, size: number): void {
    const items = this.items;
    if (items === undefined) {
      throw new ProtocolError(
        `Response item for call ${m.id} (${this.method}), which yields nothing`,
      );
    }
    if (!items.admit(size)) {
      throw new ProtocolError(
        `Response item for call ${m.id} (${this.method}) sent without credit`,
      );
    }
    this.itemsReceived++;
    this.session.counters.streamItemsReceived++;
    if (m.bodyError !== undefined) {
      this.giveUp(m.bodyError);
      return;
    }
    const checker = this.itemChecker;
    if (checker === undefined) {
      items.push(m.body, size);
      return;
    }
    const parsed = checker.parseItem(this.method, m.body);
    if (parsed.ok) items.push(parsed.value, size);
    else this.giveUp(parsed.error);
  }

  /** @throws {ProtocolError} PROTOCOL_ERROR for REJECTED after an item (§12.1). */
  onFinal(m: ResponseMessage): void {
    if (m.status === ResponseStatus.Rejected && this.itemsReceived > 0) {
      throw new ProtocolError(`Response ${m.id} is REJECTED after ${this.itemsReceived} items`);
    }
  }

  /**
   * Credit for this call's inputs.
   * @throws {ProtocolError} PROTOCOL_ERROR when the call sends no inputs, or past 2^32 - 1.
   */
  onCredit(m: CreditMessage): void {
    this.session.counters.creditsReceived++;
    if (this.inputs === undefined) {
      throw new ProtocolError(
        `Credit for the inputs of call ${m.id} (${this.method}), which has none`,
      );
    }
    // Before the pump starts there is no Credit to receive: the Request was written first.
    if (this.pump !== undefined && !this.pump.grant(m.items, m.bytes)) {
      throw new ProtocolError(`Credit for call ${m.id} takes its window past 2^32 - 1`);
    }
  }

  grant(credit: StreamCredit): void {
    const call = this.call;
    if (call === undefined) return;
    this.session.writeCredit(call.id, CreditStream.Outputs, credit);
  }

  onReturn(): void {
    this.giveUp(new CancelledError(`the caller stopped reading the items of ${this.method}`));
  }

  frame(item: unknown): Frame {
    const checked = this.session.checkedCalls?.checkOutboundInputItem(this.method, item);
    if (checked !== undefined && !checked.ok) throw checked.error;
    const id = this.call!.id;
    const message = { kind: Kind.Data, id, more: true, body: item } as const;
    const frame = this.session.wire.encodeFrame(message, this.session.frameMemory);
    this.session.counters.streamItemsSent++;
    return frame;
  }

  write(frame: Frame): void {
    this.session.write(frame);
  }

  /** The inputs ran out: end of input, unless the call ended first. */
  private inputsDone(): void {
    if (this.over) return;
    const id = this.call!.id;
    this.session.write(
      this.session.wire.encode({ kind: Kind.Data, id, more: false, body: undefined }),
    );
  }

  private giveUp(error: Error): void {
    if (this.call !== undefined && !this.over) this.owner!.giveUp(this.call, error);
  }
}

/** The public face of a call that yields: its items (once), and `result`. */
export class CallStreamHandle<T = unknown, R = unknown> implements AsyncIterable<T> {
  constructor(
    private readonly items: AsyncIterableIterator<unknown>,
    readonly result: Promise<R>,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.items as AsyncIterator<T>;
  }
}
