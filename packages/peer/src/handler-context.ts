/**
 * What a handler sees besides its input: an AbortSignal, the deadline, metadata, and a caller to
 * reach back into the remote whose calls inherit the deadline and the cancellation. The signal and
 * the caller are made on first use: most handlers never touch them, and an AbortController per
 * request costs more than the rest of the context.
 */
import { type Deadlined, monotonicNow } from "./deadline-timer.js";
import type { Metadata } from "./wire-messages.js";

/** Signal senders by name (typed per contract at the API surface). */
export type UntypedEmitter = { readonly [name: string]: (payload?: unknown) => Promise<void> };

/** Calls and signals back into the remote, bound to a handler's deadline and cancellation. */
export interface ScopedCaller<Caller, Emitter = UntypedEmitter> {
  /** Calls `method` on the remote; the deadline is at most the handler's, the signal is linked. */
  request(method: string, input?: unknown, options?: ScopedCallOptions): Promise<unknown>;
  /** Typed proxy over {@link ScopedCaller.request} for the contract this side calls. */
  readonly call: Caller;
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
}

/** Passed to every request handler. */
export interface HandlerContext<Caller = unknown> {
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
  readonly peer: ScopedCaller<Caller>;
}

/** Passed to every signal handler. */
export interface SignalContext<Caller = unknown> {
  /** The signal's name. */
  readonly name: string;
  /** Metadata the sender attached (empty object when none). */
  readonly metadata: Metadata;
  /** Calls back into the remote (default deadlines). */
  readonly peer: ScopedCaller<Caller>;
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
  private controller: AbortController | undefined;
  private abortReason: AbortReason | undefined;
  private scoped: ScopedCaller<Caller> | undefined;
  private epochDeadline: number | undefined;

  constructor(
    private readonly factory: ScopedCallerFactory<Caller>,
    private readonly onExpired: (call: InboundCall<Caller>) => void,
    readonly id: number,
    readonly method: string,
    readonly input: unknown,
    /** `performance.now()` deadline. */
    readonly dueAt: number,
    metadata: Metadata | undefined,
  ) {
    this.metadata = metadata ?? EMPTY_METADATA;
  }

  readonly metadata: Metadata;

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
