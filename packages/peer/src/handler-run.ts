/**
 * A handler's run: the slot it waits for, and the context it sees while it runs.
 *
 * The context is what a handler sees besides its input: an AbortSignal, the deadline, metadata,
 * and a caller to reach back into the remote whose calls inherit the deadline and the
 * cancellation. The signal and the caller are made on first use: most handlers never touch them,
 * and an AbortController per request costs more than the rest of the context.
 *
 * The slots bound handler concurrency: at most `maxRunning` handlers run at once; more wait in
 * p-queue, in order. p-queue costs about 4 µs per task (an options copy, a Symbol, a Map entry
 * with Date.now(), events, three promise layers; benchmarks/src/micro/peer.ts), which is most of a
 * round trip on a fast link. So a handler starts directly while a slot is free and nobody waits,
 * and p-queue holds only the overflow. Its concurrency is kept at the slots the direct handlers
 * leave free (paused at zero), so direct + queued handlers never exceed `maxRunning`.
 */
import PQueue from "p-queue";
import type { UntypedStreamCaller } from "./peer-types.js";
import { type Deadlined, monotonicNow } from "./pending-call.js";
import type { HandlerStream } from "./stream-ports.js";
import type { Metadata } from "./wire-messages.js";

/** Signal senders by name (typed per contract at the API surface). */
export type UntypedEmitter = { readonly [name: string]: (payload?: unknown) => Promise<void> };

/** Calls and signals back into the remote, bound to a handler's deadline and cancellation. */
export interface ScopedCaller<Caller, Emitter = UntypedEmitter, Streamer = UntypedStreamCaller> {
  /** Calls `method` on the remote; the deadline is at most the handler's, the signal is linked. */
  request(method: string, input?: unknown, options?: ScopedCallOptions): Promise<unknown>;
  /** Typed proxy over {@link ScopedCaller.request} for the contract this side calls. */
  readonly call: Caller;
  /**
   * Stream calls of the methods that yield, like `peer.stream`: `ctx.peer.stream.tail(input)`.
   * Each inherits the handler's deadline and cancellation, as `call` does.
   */
  readonly stream: Streamer;
  /** Sends a signal to the remote. */
  signal(name: string, payload?: unknown, options?: { metadata?: Metadata }): Promise<void>;
  /** Signal senders by name: `ctx.peer.emit.changed(payload)` is `signal("changed", payload)`. */
  readonly emit: Emitter;
}

/** Options of a nested call; its deadline can only be shortened. */
export interface ScopedCallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  metadata?: Metadata;
}

/** Builds the scoped caller of a context (supplied by the peer). */
export interface ScopedCallerFactory<Caller> {
  /** `deadline` is a `performance.now()` time; both bounds are optional. */
  scopedCaller(deadline: number | undefined, signal: AbortSignal | undefined): ScopedCaller<Caller>;
  /** Aborts once this side sends Bye (stream-session.ts). */
  readonly draining: AbortSignal;
}

/** Passed to every request handler. */
export interface HandlerContext<Caller = unknown, Streamer = UntypedStreamCaller> {
  /** Aborts when the caller cancels, the deadline passes, or the connection goes away. */
  readonly signal: AbortSignal;
  /** Deadline as milliseconds since the epoch, on this machine's clock. */
  readonly deadline: number;
  /** Milliseconds left before the deadline (0 once passed). */
  remainingMs(): number;
  /** Metadata the caller attached (empty object when none). */
  readonly metadata: Metadata;
  /** The method being handled. */
  readonly method: string;
  /** Calls back into the remote; nested calls inherit the remaining deadline and cancellation. */
  readonly peer: ScopedCaller<Caller, UntypedEmitter, Streamer>;
  /**
   * Aborts when the connection starts closing (Bye): a handler of an endless stream ends on it,
   * cleanly, before closeTimeoutMs aborts it with ABANDONED.
   */
  readonly draining: AbortSignal;
}

/** Passed to every signal handler. */
export interface SignalContext<Caller = unknown, Streamer = UntypedStreamCaller> {
  /** The signal's name. */
  readonly name: string;
  /** Metadata the sender attached (empty object when none). */
  readonly metadata: Metadata;
  /** Calls back into the remote (default deadlines). */
  readonly peer: ScopedCaller<Caller, UntypedEmitter, Streamer>;
}

const EMPTY_METADATA: Metadata = Object.freeze(Object.create(null));

/** Reason a handler's signal was aborted, kept until the signal is first read. */
type AbortReason = Error;

/**
 * One inbound request while it is queued or running: its deadline entry and its context.
 * `done` is set when the result is no longer wanted (cancelled, deadline, connection gone).
 */
export class InboundCall<Caller = unknown> implements HandlerContext<Caller>, Deadlined {
  heapIndex = -1;
  /** The handler has been started. */
  started = false;
  /** No Response will be sent: cancelled, past its deadline, or the connection is gone. */
  done = false;
  /** The call's streams, for a stream method (inbound-stream.ts). */
  stream: HandlerStream | undefined = undefined;
  private controller: AbortController | undefined;
  private abortReason: AbortReason | undefined;
  private scoped: ScopedCaller<Caller> | undefined;
  private epochDeadline: number | undefined;
  /** `performance.now()` deadline once read (see {@link dueAt}); -1 before. */
  private due = -1;

  constructor(
    private readonly factory: ScopedCallerFactory<Caller>,
    private readonly onExpired: (call: InboundCall<Caller>) => void,
    readonly id: number,
    readonly method: string,
    readonly input: unknown,
    /** The budget the Request carried, in ms (`Infinity` for a stream without one). */
    private readonly budgetMs: number,
    metadata: Metadata | undefined,
  ) {
    this.metadata = metadata ?? EMPTY_METADATA;
  }

  readonly metadata: Metadata;

  /**
   * `performance.now()` deadline: the budget on this side's clock, read when the call first needs
   * it (it is queued, its handler awaits, or reads its deadline), never before receipt. A handler
   * that answers synchronously never reads the clock (70-100 ns a reading).
   */
  get dueAt(): number {
    if (this.due < 0) this.due = monotonicNow() + this.budgetMs;
    return this.due;
  }

  /**
   * Starts the deadline from `now` unless it has started: a reading of the batch the request came
   * in (`Outbox.batchNow`, taken after its chunk arrived), so the requests of one read that are
   * queued or await share one reading of the clock. Returns the call.
   */
  startClock(now: number): this {
    if (this.due < 0) this.due = now + this.budgetMs;
    return this;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get deadline(): number {
    // On Date.now()'s clock (performance.timeOrigin + now() drifts from it), computed on first read.
    this.epochDeadline ??= Date.now() + this.remainingMs();
    return this.epochDeadline;
  }

  remainingMs(): number {
    return Math.max(0, this.dueAt - monotonicNow());
  }

  get peer(): ScopedCaller<Caller> {
    this.scoped ??= this.factory.scopedCaller(this.dueAt, this.signal);
    return this.scoped;
  }

  get draining(): AbortSignal {
    return this.factory.draining;
  }

  /** The caller's items, for a method that accepts them (undefined otherwise). */
  get inputs(): AsyncIterable<unknown> | undefined {
    return this.stream?.inputs;
  }

  /** Aborts the handler's signal (once) and marks the result unwanted. */
  abort(reason: AbortReason): void {
    this.done = true;
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  onDeadline(): void {
    this.onExpired(this);
  }
}

/** Context of a signal handler. */
export class SignalCall<Caller = unknown> implements SignalContext<Caller> {
  readonly metadata: Metadata;
  private scoped: ScopedCaller<Caller> | undefined;

  constructor(
    private readonly factory: ScopedCallerFactory<Caller>,
    readonly name: string,
    metadata: Metadata | undefined,
  ) {
    this.metadata = metadata ?? EMPTY_METADATA;
  }

  get peer(): ScopedCaller<Caller> {
    this.scoped ??= this.factory.scopedCaller(undefined, undefined);
    return this.scoped;
  }
}

/**
 * A handler run: sync (returns when done) or async (returns a promise). Its two arguments are
 * passed through, so a run needs no closure per request.
 */
export type HandlerTask<A, B> = (a: A, b: B) => undefined | Promise<void>;

/** Runs handlers with at most `maxRunning` at once, the rest queued in order. */
export class HandlerQueue {
  private readonly queue: PQueue;
  /** Handlers started directly, not through p-queue. */
  private direct = 0;
  /** No handler starts: the connection's output is backed up (see InboundCalls.admit). */
  private held = false;

  constructor(private readonly maxRunning: number) {
    this.queue = new PQueue({ concurrency: maxRunning });
  }

  /** Handlers running now. */
  get running(): number {
    return this.direct + this.queue.pending;
  }

  /** Handlers waiting for a slot. */
  get queued(): number {
    return this.queue.size;
  }

  /** True when {@link run} would start a task at once rather than queue it. */
  get runsNow(): boolean {
    return !this.held && this.queue.size === 0 && this.running < this.maxRunning;
  }

  /** From now on handlers wait in the queue, none starts, until {@link release}. */
  hold(): void {
    this.held = true;
    this.queue.pause();
  }

  /** Ends {@link hold}: the queued handlers start as slots allow. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.syncQueue();
  }

  /** Runs `task(a, b)` now if a slot is free and nobody waits, else queues it. */
  run<A, B>(task: HandlerTask<A, B>, a?: A, b?: B): void {
    if (!this.runsNow) {
      this.syncQueue();
      this.queue.add(async () => task(a as A, b as B)).catch(noop);
      return;
    }
    // p-queue is empty here, so its concurrency only matters again once something is queued.
    this.direct++;
    const pending = task(a as A, b as B);
    if (pending === undefined) this.directDone();
    else pending.then(this.directDoneBound, this.directDoneBound);
  }

  private readonly directDoneBound = (): void => this.directDone();

  private directDone(): void {
    this.direct--;
    if (this.queue.size > 0) this.syncQueue();
  }

  /** Gives p-queue the slots the direct handlers leave free; pauses it when there are none. */
  private syncQueue(): void {
    const free = this.maxRunning - this.direct;
    if (free === 0 || this.held) {
      this.queue.pause();
      return;
    }
    if (this.queue.concurrency !== free) this.queue.concurrency = free;
    if (this.queue.isPaused) this.queue.start();
  }
}

function noop(): void {}
