/**
 * The handler's side of one stream call (docs/protocol.md §12.6): the caller's items buffered for
 * `ctx.inputs` (credit returned as the handler reads), and the handler's async generator pumped as
 * Response items under the caller's credit; its return value is the final output, which the
 * inbound registry answers like any handler's. It hangs off the call's {@link InboundCall}: when
 * the call is aborted (Cancel, deadline, connection gone, Bye's grace over) the generator's
 * `return()` runs, so its `finally` does, and `ctx.inputs` throws the reason.
 */
import { type AnyContract, type StreamShape, toWireError, type WireError } from "@parley/codec";
import type { StreamCredit } from "./credit-window.js";
import { errorResponse } from "./error-responses.js";
import { ProtocolError } from "./errors.js";
import type { InboundCall } from "./handler-run.js";
import { ItemBuffer, type ItemBufferOwner } from "./item-buffer.js";
import { ItemPump, type ItemPumpOwner } from "./item-pump.js";
import type { Frame } from "./split-frame.js";
import type { HandlerStream, StreamContext } from "./stream-ports.js";
import { isThenable } from "./thenable.js";
import { CreditStream, Kind, ResponseStatus } from "./wire-constants.js";
import type { CreditMessage, DataMessage } from "./wire-messages.js";

/** The handler's side of one stream call. */
export class InboundStream implements ItemBufferOwner, ItemPumpOwner, HandlerStream {
  /** The caller's items (`ctx.inputs`), when the method accepts. */
  readonly inputs: ItemBuffer | undefined;
  private pump: ItemPump | undefined;
  private inputEnded = false;
  /** The call was ended here (an invalid item): later Data is dropped as late. */
  private failed = false;
  private over = false;

  constructor(
    private readonly session: StreamContext,
    private readonly call: InboundCall<unknown>,
    readonly shape: StreamShape,
    private readonly contract: AnyContract,
  ) {
    const s = session;
    this.inputs = shape.accepts ? new ItemBuffer(s.ownWindow, this, s.counters) : undefined;
    s.opened();
    call.signal.addEventListener("abort", this, { once: true });
  }

  /**
   * What the handler returned, as the inbound registry awaits it: for a method that yields, the
   * generator pumped to its end (resolving with its return value, the final output).
   */
  run(returned: unknown): unknown {
    if (!this.shape.yields) return returned;
    // A wrapper that first awaits something (a per-connection context) returns the generator late.
    if (isThenable(returned)) return Promise.resolve(returned).then((g) => this.pumpFrom(g));
    return this.pumpFrom(returned);
  }

  private pumpFrom(returned: unknown): Promise<unknown> {
    const source = returned as Partial<AsyncIterator<unknown>> | null | undefined;
    if (typeof source?.next !== "function") {
      return Promise.reject(
        new TypeError(`the handler of ${this.call.method} must be an async generator (it yields)`),
      );
    }
    const window = this.session.remoteWindow as StreamCredit;
    this.pump = new ItemPump(window, source as AsyncIterator<unknown>, this, this.session);
    // Aborted while the generator was on its way: stop it at once.
    if (this.call.done) this.pump.stop();
    return this.pump.run();
  }

  /** The call is over (its final Response written, or it was aborted). Once. */
  finish(): void {
    if (this.over) return;
    this.over = true;
    this.session.closed(true);
    this.pump?.stop();
    this.inputs?.drop();
    this.inputs?.end();
    this.call.signal.removeEventListener("abort", this);
  }

  /** The handler's signal aborted: stop the generator, fail `ctx.inputs` with the reason. */
  handleEvent(): void {
    this.pump?.stop();
    this.inputs?.end(this.call.signal.reason as Error);
  }

  /**
   * A Data frame for this call.
   * @throws {ProtocolError} PROTOCOL_ERROR with no input stream (none, or ended), or no credit.
   */
  onData(m: DataMessage, size: number): void {
    const inputs = this.inputs;
    if (this.failed) {
      this.session.counters.lateStreamFrames++;
      return;
    }
    if (inputs === undefined || this.inputEnded) {
      const why = inputs === undefined ? "which accepts no items" : "after its end of input";
      throw new ProtocolError(`Data for call ${m.id} (${this.call.method}), ${why}`);
    }
    if (!m.more) {
      this.inputEnded = true;
      inputs.end();
      return;
    }
    if (!inputs.admit(size)) {
      throw new ProtocolError(`Data for call ${m.id} (${this.call.method}) sent without credit`);
    }
    this.session.counters.streamItemsReceived++;
    if (m.bodyError !== undefined) {
      // As an input that cannot be decoded (inbound-calls.ts): the caller's bytes were wrong.
      const { method } = this.call;
      const message = `an item of ${method} could not be decoded: ${m.bodyError.message}`;
      this.fail(m.bodyError, { code: "INVALID_ARGUMENT", message });
      return;
    }
    const parsed = this.contract.parseInputItem(this.call.method, m.body);
    if (parsed.ok) inputs.push(parsed.value, size);
    else this.fail(parsed.error);
  }

  /**
   * Credit for this call's items.
   * @throws {ProtocolError} PROTOCOL_ERROR when the method yields nothing, or past 2^32 - 1.
   */
  onCredit(m: CreditMessage): void {
    this.session.counters.creditsReceived++;
    if (!this.shape.yields) {
      throw new ProtocolError(`Credit for the items of call ${m.id}, whose method yields nothing`);
    }
    if (this.pump !== undefined && !this.pump.grant(m.items, m.bytes)) {
      throw new ProtocolError(`Credit for call ${m.id} takes its window past 2^32 - 1`);
    }
  }

  grant(credit: StreamCredit): void {
    if (!this.over) this.session.writeCredit(this.call.id, CreditStream.Inputs, credit);
  }

  /** The handler broke out of `ctx.inputs`: later items are dropped (and no credit returned). */
  onReturn(): void {}

  frame(item: unknown): Frame {
    const checked = this.session.checkedServes?.checkOutboundItem(this.call.method, item);
    if (checked !== undefined && !checked.ok) throw checked.error;
    const id = this.call.id;
    const status = ResponseStatus.Ok;
    const message = { kind: Kind.Response, id, status, body: item, more: true } as const;
    const frame = this.session.wire.encodeFrame(message, this.session.frameMemory);
    this.session.counters.streamItemsSent++;
    return frame;
  }

  write(frame: Frame): void {
    if (!this.call.done) this.session.write(frame);
  }

  /**
   * Ends the call now with an ERROR Response (an invalid caller item, §12.5) saying `told`: the
   * handler is aborted with `error` and sends nothing more; its slot frees when it returns.
   */
  private fail(error: Error, told: WireError = toWireError(error)): void {
    if (this.call.done) return;
    this.failed = true;
    const { id } = this.call;
    this.session.write(errorResponse(this.session.wire, id, ResponseStatus.Error, told));
    this.call.abort(error);
  }
}
