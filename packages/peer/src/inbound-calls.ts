/**
 * The requests and signals this side serves: validation against the contract, the bounded handler
 * queue (p-queue: `maxConcurrentHandlers` running, `maxQueuedRequests` waiting, then OVERLOADED),
 * deadlines, Cancel, and the Responses.
 *
 * A handler's slot is released only when the handler really returns, even after Cancel or its
 * deadline: a caller that sends Request+Cancel in a loop cannot make this side run unbounded work
 * (the HTTP/2 "rapid reset" attack).
 */

import type { AnyContract } from "@parley/codec";
import { toWireError, type WireError } from "@parley/codec";
import { errorResponse, toldOf } from "./error-responses.js";
import { CancelledError, DeadlineExceededError, ProtocolError } from "./errors.js";
import {
  type HandlerContext,
  HandlerQueue,
  InboundCall,
  type ScopedCallerFactory,
  SignalCall,
  type SignalContext,
} from "./handler-run.js";
import { IdTable } from "./id-table.js";
import type { HandlerErrorHook } from "./peer-types.js";
import type { DeadlineTimer } from "./pending-call.js";
import { acceptSignal } from "./signal-acceptance.js";
import type { Frame } from "./split-frame.js";
import type { StreamSession } from "./stream-session.js";
import { isThenable } from "./thenable.js";
import { Kind, ResponseStatus } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";
import type { RequestMessage, SignalMessage } from "./wire-messages.js";

/** A request handler as the engine sees it (the typed forms come from the contract). */
// biome-ignore lint/suspicious/noExplicitAny: handlers are typed by the contract at the API surface.
export type RequestHandler = (input: any, ctx: HandlerContext<any>) => unknown;
/** A signal handler as the engine sees it. */
// biome-ignore lint/suspicious/noExplicitAny: handlers are typed by the contract at the API surface.
export type SignalHandler = (payload: any, ctx: SignalContext<any>) => unknown;

/** What the inbound side needs from the peer. */
export interface InboundPort<Caller> extends ScopedCallerFactory<Caller> {
  /** Queues a frame for this turn's write. */
  write(frame: Frame): void;
  /** Every accepted request and signal has finished. */
  onIdle(): void;
  /** Something was dropped or failed without a caller to tell (`signal`: which signal it was). */
  warn(message: string, error?: unknown, signal?: string): void;
  /** The connection's streams: admission, and the stream of each stream call. */
  readonly streams: StreamSession;
  /** The connection holds far more the remote has not taken than it would if it read. */
  backlogged(): boolean;
  /** The clock, read once per batch of frames (`Outbox.batchNow`). */
  now(): number;
}

/** Counters the inbound side keeps (a slice of the peer's stats). */
export interface InboundCounters {
  requestsReceived: number;
  responsesSent: number;
  requestsRejected: number;
  cancelsReceived: number;
  signalsReceived: number;
  signalsDropped: number;
  handlerErrors: number;
}

/** Settings of the inbound side. */
export interface InboundSettings {
  readonly maxConcurrentHandlers: number;
  readonly maxQueuedRequests: number;
  readonly handlers: ReadonlyMap<string, RequestHandler>;
  readonly signalHandlers: ReadonlyMap<string, SignalHandler>;
  readonly serves: AnyContract | undefined;
  /** `serves` when its validateOutbound is on: outputs are checked before they are sent. */
  readonly checkedServes: AnyContract | undefined;
  /** Turns what a handler threw into what is sent, or undefined to send it as it is. */
  readonly handlerError: HandlerErrorHook | undefined;
}

/** Inbound requests and signals of one peer. */
export class InboundCalls<Caller = unknown> {
  private readonly queue: HandlerQueue;
  private readonly byId = new IdTable<InboundCall<Caller>>();
  /** Accepted requests and signals whose handler has not finished (or been skipped) yet. */
  private unfinished = 0;
  private readonly onExpired = (call: InboundCall<Caller>): void => this.expire(call);
  private readonly warn = (message: string, error?: unknown) => this.port.warn(message, error);
  private readonly runBound = (call: InboundCall<Caller>, handler: RequestHandler) =>
    this.run(call, handler);

  constructor(
    private readonly port: InboundPort<Caller>,
    private readonly wire: WireFormat,
    private readonly timers: DeadlineTimer,
    private readonly settings: InboundSettings,
    private readonly counters: InboundCounters,
  ) {
    this.queue = new HandlerQueue(settings.maxConcurrentHandlers);
  }

  /** No accepted request or signal is queued or running. */
  get idle(): boolean {
    return this.unfinished === 0;
  }

  /** Handlers running now. */
  get running(): number {
    return this.queue.running;
  }

  /** Handlers waiting for a slot. */
  get queued(): number {
    return this.queue.queued;
  }

  /** The connection takes output again: handlers held by {@link holdIfBacklogged} may start. */
  onWritable(): void {
    this.queue.release();
  }

  /**
   * A remote that does not read its answers must not make this side hold them without bound: a
   * handler's slot frees once its Response is queued, so while the connection holds more than
   * 32 times `maxBufferedBytes` unread (32 MiB by default), new handlers wait (up to
   * `maxQueuedRequests`, then REJECTED OVERLOADED) until it takes output again. What is held is
   * then at most that and the running handlers' answers, and whatever reaches
   * `slowConsumerTimeoutMs` with no progress ends the connection.
   */
  private holdIfBacklogged(): void {
    if (this.port.backlogged()) this.queue.hold();
  }

  /**
   * Accepts a Request: answers REJECTED at once when it cannot run, else queues its handler.
   * @throws {ProtocolError} PROTOCOL_ERROR for id 0 or an id already in flight (fatal).
   */
  onRequest(m: RequestMessage): void {
    if (m.id === 0) throw new ProtocolError("Request id 0 is reserved (ids start at 1)");
    if (this.byId.has(m.id)) throw new ProtocolError(`Request id ${m.id} is already in flight`);
    this.counters.requestsReceived++;
    const handler = this.settings.handlers.get(m.method);
    const contract = this.settings.serves;
    if (contract !== undefined && !contract.hasRequest(m.method)) {
      this.reject(m.id, "UNIMPLEMENTED", `method ${m.method} is not in contract ${contract.name}`);
      return;
    }
    if (handler === undefined) {
      this.reject(m.id, "UNIMPLEMENTED", `no handler for method ${m.method}`);
      return;
    }
    if (m.bodyError !== undefined) {
      this.reject(
        m.id,
        "INVALID_ARGUMENT",
        `input of ${m.method} could not be decoded: ${m.bodyError.message}`,
      );
      return;
    }
    let input = m.body;
    if (contract !== undefined) {
      const parsed = contract.parseInput(m.method, input);
      if (!parsed.ok) {
        this.rejectWith(m.id, toWireError(parsed.error));
        return;
      }
      input = parsed.value;
    }
    const refused = this.port.streams.refusal(m, contract) ?? this.overloaded();
    if (refused !== undefined) {
      this.rejectWith(m.id, refused);
      return;
    }
    const call = new InboundCall<Caller>(
      this.port,
      this.onExpired,
      m.id,
      m.method,
      input,
      m.timeoutMs || Number.POSITIVE_INFINITY, // 0: a stream's Infinity
      m.metadata,
    );
    this.port.streams.attach(call as InboundCall<unknown>, contract);
    this.byId.add(call);
    this.unfinished++;
    // A handler started at once joins the timer (and reads the clock) only if it goes async (see
    // run()): a synchronous one has answered before any timer could fire, and most handlers of a
    // fast service are.
    this.holdIfBacklogged();
    if (!this.queue.runsNow) this.timers.add(call.startClock(this.port.now()));
    this.queue.run(this.runBound, call, handler);
  }

  /** The call of request `id` while it is in flight (its final Response not written yet). */
  callFor(id: number): InboundCall<Caller> | undefined {
    return this.byId.get(id);
  }

  /** A Cancel: aborts the handler's signal; its slot stays taken until the handler returns. */
  onCancel(id: number): void {
    this.counters.cancelsReceived++;
    const call = this.byId.get(id);
    if (call === undefined) return;
    this.byId.delete(id);
    this.timers.remove(call);
    call.abort(new CancelledError(`the caller cancelled ${call.method}`));
  }

  /** A Signal: validated, then queued; dropped (and counted) when invalid or when full. */
  onSignal(m: SignalMessage): void {
    this.counters.signalsReceived++;
    const accepted = acceptSignal(m, this.settings.serves, this.settings.signalHandlers);
    if (!accepted.ok) {
      this.dropSignal(m.name, accepted.reason, accepted.warn, accepted.error);
      return;
    }
    const { handler, payload } = accepted;
    if (!this.hasRoom()) {
      this.dropSignal(m.name, `signal ${m.name}: ${this.overloadedMessage()}`);
      return;
    }
    this.unfinished++;
    const ctx = new SignalCall<Caller>(this.port, m.name, m.metadata);
    this.holdIfBacklogged();
    this.queue.run((h: SignalHandler, c) => this.runSignal(h, payload, c), handler, ctx);
  }

  /** The connection is going away: abort every handler; no Response will be written. */
  abortAll(reason: Error): void {
    for (const call of this.byId.values()) call.abort(reason);
    this.byId.clear();
    // Held handlers go through the queue now, each finding its call over.
    this.queue.release();
  }

  private hasRoom(): boolean {
    const s = this.settings;
    return this.queue.running + this.queue.queued < s.maxConcurrentHandlers + s.maxQueuedRequests;
  }

  private overloaded(): WireError | undefined {
    return this.hasRoom() ? undefined : { code: "OVERLOADED", message: this.overloadedMessage() };
  }

  private overloadedMessage(): string {
    const s = this.settings;
    return (
      `handler queue full (${s.maxConcurrentHandlers} running + ${s.maxQueuedRequests} queued); ` +
      "raise maxConcurrentHandlers or maxQueuedRequests on the serving peer"
    );
  }

  /** Runs a request handler; a sync result is answered without a promise hop. */
  private run(call: InboundCall<Caller>, handler: RequestHandler): undefined | Promise<void> {
    // Cancelled or expired while queued: never started, slot released at once.
    if (call.done) {
      this.finish(call);
      return undefined;
    }
    call.started = true;
    let output: unknown;
    try {
      output = handler(call.input, call);
      if (call.stream !== undefined) output = call.stream.run(output);
    } catch (error) {
      this.failed(call, error);
      return undefined;
    }
    if (!isThenable(output)) {
      this.succeeded(call, output);
      return undefined;
    }
    if (call.heapIndex === -1 && !call.done) this.timers.add(call.startClock(this.port.now()));
    return Promise.resolve(output).then(
      (value) => this.succeeded(call, value),
      (error) => this.failed(call, error),
    );
  }

  private succeeded(call: InboundCall<Caller>, output: unknown): void {
    try {
      if (!call.done) this.respondOutput(call, output);
    } finally {
      this.finish(call);
    }
  }

  private failed(call: InboundCall<Caller>, error: unknown): void {
    try {
      if (call.done) return;
      const told = toldOf(error, call.method, this.settings.handlerError, this.warn);
      this.respondError(call.id, ResponseStatus.Error, told);
    } finally {
      this.finish(call);
    }
  }

  private respondOutput(call: InboundCall<Caller>, output: unknown): void {
    const serves = this.settings.checkedServes;
    if (serves !== undefined) {
      const checked = serves.checkOutboundOutput(call.method, output);
      if (!checked.ok) {
        this.respondError(call.id, ResponseStatus.Error, toWireError(checked.error));
        return;
      }
    }
    this.respond(call, output);
  }

  private runSignal(
    handler: SignalHandler,
    payload: unknown,
    ctx: SignalCall<Caller>,
  ): undefined | Promise<void> {
    let result: unknown;
    try {
      result = handler(payload, ctx);
    } catch (error) {
      this.signalFailed(ctx, error);
      return undefined;
    }
    if (!isThenable(result)) {
      this.done();
      return undefined;
    }
    return Promise.resolve(result).then(
      () => this.done(),
      (error) => this.signalFailed(ctx, error),
    );
  }

  private signalFailed(ctx: SignalCall<Caller>, error: unknown): void {
    this.counters.handlerErrors++;
    this.port.warn(`signal handler for ${ctx.name} threw`, error, ctx.name);
    this.done();
  }

  private finish(call: InboundCall<Caller>): void {
    call.stream?.finish();
    this.timers.remove(call);
    if (this.byId.get(call.id) === call) this.byId.delete(call.id);
    call.done = true;
    this.done();
  }

  private done(): void {
    this.unfinished--;
    if (this.unfinished === 0) this.port.onIdle();
  }

  private expire(call: InboundCall<Caller>): void {
    if (this.byId.get(call.id) === call) this.byId.delete(call.id);
    // The caller's own deadline (never later than this one) has passed: it wants no Response.
    call.abort(new DeadlineExceededError(`the deadline of ${call.method} passed`));
  }

  private reject(id: number, code: string, message: string): void {
    this.rejectWith(id, { code, message });
  }

  private rejectWith(id: number, wire: WireError): void {
    this.counters.requestsRejected++;
    this.respondError(id, ResponseStatus.Rejected, wire);
  }

  /**
   * Writes an OK Response; an unencodable output, or one larger than the caller's maxFrameBytes
   * (MESSAGE_TOO_LARGE from the wire format), becomes an ERROR Response, told as the handler's
   * failure.
   */
  private respond(call: InboundCall<Caller>, body: unknown): void {
    let frame: Frame;
    try {
      const m = { kind: Kind.Response, id: call.id, status: ResponseStatus.Ok, body } as const;
      // A byte-string body goes into the connection's frame memory, which the session holds.
      frame = this.wire.encodeFrame(m, this.port.streams.frameMemory);
    } catch (error) {
      // The handler's failure too (a getter that throws as it is encoded): told as one.
      const told = toldOf(error, call.method, this.settings.handlerError, this.warn);
      this.respondError(call.id, ResponseStatus.Error, told);
      return;
    }
    this.counters.responsesSent++;
    this.port.write(frame);
  }

  private respondError(id: number, status: ResponseStatus, wire: WireError): void {
    this.counters.responsesSent++;
    this.port.write(errorResponse(this.wire, id, status, wire));
  }

  private dropSignal(name: string, reason: string, warn = true, error?: unknown): void {
    this.counters.signalsDropped++;
    if (warn) this.port.warn(`dropped ${reason}`, error, name);
  }
}
