/**
 * Where calls and signals enter the engine: the refusal when the peer cannot take them, the
 * per-call checks (cheap: no allocation on the good path), the default deadline, the peer's `call`
 * and `emit` proxies, and the scoped callers handed to handlers (whose calls inherit the
 * handler's deadline and cancellation).
 *
 * The typed proxies (`peer.call.method(input)`, `peer.emit.signal(payload)`, and the rpc client's
 * `call`) are name proxies: the names a contract declares are plain own properties, each one
 * function made once, so a call through them costs a property load, as a hand-written client
 * would. Any other name falls through to a Proxy on the prototype chain, so an undeclared (or,
 * without a contract, any) name still gives a function whose call is refused or sent as usual;
 * the Proxy trap runs only for those.
 */
import type { AnyContract } from "@parley/codec";
import { InvalidOptionError } from "@parley/framing";
import { describe, MAX_TIMER_MS } from "@parley/framing/internal";
import { UnimplementedError } from "./errors.js";
import type { ScopedCaller, UntypedEmitter } from "./handler-run.js";
import type { OutboundCalls } from "./outbound-calls.js";
import { CallStreamHandle, type OutboundStream } from "./outbound-stream.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import type {
  CallOptions,
  SignalOptions,
  SignalSendersOf,
  StreamCallerOf,
  UntypedStreamCaller,
} from "./peer-types.js";
import { monotonicNow, PendingCall } from "./pending-call.js";
import { hasStreamMethods, refusedStream, streamOfCall } from "./stream-calls.js";
import type { StreamSession } from "./stream-session.js";

/** Calls and signals of one peer, on their way to the outbound registry. */
export class CallGate<Caller> {
  /** The called contract has stream methods: each call checks whether it is one. */
  private readonly streaming: boolean;

  constructor(
    private readonly o: ResolvedPeerOptions,
    private readonly outbound: OutboundCalls,
    /** Why the peer takes no new call or signal now, or undefined. */
    private readonly refusal: () => Error | undefined,
    private readonly streams: StreamSession,
  ) {
    this.streaming = hasStreamMethods(o.calls);
  }

  /**
   * Starts a call (a client stream when the method accepts items: `options.inputs`);
   * `inheritedDeadline` (a `performance.now()` time) and `parentSignal` bound it.
   */
  call(
    method: string,
    input: unknown,
    options: CallOptions | undefined,
    inheritedDeadline?: number,
    parentSignal?: AbortSignal,
  ): Promise<unknown> {
    if (!this.streaming && (options as { inputs?: unknown } | undefined)?.inputs === undefined) {
      return this.start(method, input, options, inheritedDeadline, parentSignal, undefined);
    }
    const stream = streamOfCall(this.streams, this.o.calls, method, options, "call");
    if (stream instanceof Error) return this.refuse(stream);
    return this.start(method, input, options, inheritedDeadline, parentSignal, stream);
  }

  /** Starts a call of a method that yields: its items, and the output in `result`. */
  stream(
    method: string,
    input: unknown,
    options: CallOptions | undefined,
    inheritedDeadline?: number,
    parentSignal?: AbortSignal,
  ): CallStreamHandle {
    const stream = streamOfCall(this.streams, this.o.calls, method, options, "stream");
    // In "stream" mode a method without streams is refused, never undefined.
    if (stream instanceof Error || stream === undefined) {
      this.outbound.counts.rejected++;
      return refusedStream(stream as Error);
    }
    const result = this.start(method, input, options, inheritedDeadline, parentSignal, stream);
    result.catch(noop); // the loop reports the error too; an unread result must not crash
    return new CallStreamHandle(stream.items!, result);
  }

  private start(
    method: string,
    input: unknown,
    options: CallOptions | undefined,
    inheritedDeadline: number | undefined,
    parentSignal: AbortSignal | undefined,
    stream: OutboundStream | undefined,
  ): Promise<unknown> {
    const o = this.o;
    const refused =
      this.refusal() ?? checkCallOptions(method, input, options, o.calls, o.checkedCalls);
    if (refused !== undefined) {
      stream?.ended(refused);
      return this.refuse(refused);
    }
    // Read per call, never a batch's earlier reading: code the caller ran between two calls of
    // one batch would be taken off the later call's timeout.
    const now = monotonicNow();
    const timeoutMs = options?.timeoutMs ?? stream?.shape.timeoutMs ?? o.requestTimeoutMs;
    let dueAt = now + timeoutMs;
    if (inheritedDeadline !== undefined && inheritedDeadline < dueAt) dueAt = inheritedDeadline;
    const call = new PendingCall(
      this.outbound,
      method,
      input,
      options?.metadata,
      dueAt,
      timeoutMs,
      linkSignals(options?.signal, parentSignal),
      o.captureCallSites ? new Error("call site") : undefined,
    );
    return this.outbound.start(call, now, stream);
  }

  private refuse(error: Error): Promise<never> {
    this.outbound.counts.rejected++;
    return Promise.reject(error);
  }

  /** Sends a signal once it is queued under the high-water mark. */
  signal(name: string, payload: unknown, options: SignalOptions | undefined): Promise<void> {
    const o = this.o;
    const refused = this.refusal() ?? checkSignal(name, payload, o.calls, o.checkedCalls);
    if (refused !== undefined) return Promise.reject(refused);
    return this.outbound.signal(name, payload, options?.metadata);
  }

  /** The peer's three proxies: `call`, `stream` and `emit`. */
  proxies<C>(): { call: Caller; stream: StreamCallerOf<C>; emit: SignalSendersOf<C> } {
    const emit = this.emitter() as SignalSendersOf<C>;
    return { call: this.caller(), stream: this.streamer() as StreamCallerOf<C>, emit };
  }

  /** The peer's `call` proxy: the called contract's methods are plain properties. */
  caller(): Caller {
    return createNameProxy(
      (m, input, opts) => this.call(m, input, opts as CallOptions | undefined),
      this.o.calls?.requestNames,
    ) as Caller;
  }

  /**
   * The peer's `stream` proxy: the called contract's methods that yield. A handler's (`ctx.peer`)
   * is bound to its `deadline` (a `performance.now()` time) and `signal`.
   */
  streamer(deadline?: number, signal?: AbortSignal): unknown {
    const calls = this.o.calls;
    const names = calls?.requestNames.filter((m) => calls.streamOf(m)?.yields === true);
    return createNameProxy(
      (m, input, opts) => this.stream(m, input, opts as CallOptions | undefined, deadline, signal),
      names,
    );
  }

  /** The peer's `emit` proxy. */
  emitter(): unknown {
    return createNameProxy(
      (name, payload) => this.signal(name, payload, undefined),
      this.o.calls?.signalNames,
    );
  }

  /** The caller a handler's `ctx.peer` is: bound to its deadline and signal. */
  scoped(deadline: number | undefined, signal: AbortSignal | undefined): ScopedCaller<Caller> {
    const request = (m: string, input?: unknown, opts?: CallOptions) =>
      this.call(m, input, opts, deadline, signal);
    const send = (name: string, payload?: unknown, opts?: SignalOptions) =>
      this.signal(name, payload, opts);
    const names = this.o.calls?.signalNames;
    let emit: UntypedEmitter | undefined;
    let stream: UntypedStreamCaller | undefined;
    const streamer = () => this.streamer(deadline, signal) as UntypedStreamCaller;
    return {
      request,
      call: createNameProxy((m, input, opts) => request(m, input, opts as CallOptions)) as Caller,
      // Made on first use, as `emit`: few handlers open a stream back.
      get stream() {
        stream ??= streamer();
        return stream;
      },
      signal: send,
      // Made on first use: most handlers never send a signal back.
      get emit() {
        emit ??= createNameProxy(
          (name, payload) => send(name, payload),
          names,
        ) as unknown as UntypedEmitter;
        return emit;
      },
    };
  }
}

/**
 * Why `request(method, input, options)` cannot start, or undefined. `checked` is the contract
 * whose outbound checks run: `contract` when its validateOutbound is on (resolved once, with the
 * options), else undefined.
 */
export function checkCallOptions(
  method: string,
  input: unknown,
  options: CallOptions | undefined,
  contract: AnyContract | undefined,
  checked: AnyContract | undefined,
): Error | undefined {
  if (typeof method !== "string" || method === "") {
    return new InvalidOptionError(`method must be a non-empty string (got ${describe(method)})`);
  }
  if (options !== undefined) {
    const problem = checkOptions(options);
    if (problem !== undefined) return problem;
  }
  if (contract === undefined) return undefined;
  if (!contract.hasRequest(method)) {
    return new UnimplementedError(
      `method ${method} is not in contract ${contract.name} (the contract this peer calls)`,
    );
  }
  const result = checked?.checkOutboundInput(method, input);
  return result === undefined || result.ok ? undefined : result.error;
}

/** Why `signal(name, payload)` cannot be sent, or undefined. `checked` as in checkCallOptions. */
export function checkSignal(
  name: string,
  payload: unknown,
  contract: AnyContract | undefined,
  checked: AnyContract | undefined,
): Error | undefined {
  if (typeof name !== "string" || name === "") {
    return new InvalidOptionError(`signal name must be a non-empty string (got ${describe(name)})`);
  }
  if (contract === undefined) return undefined;
  if (!contract.hasSignal(name)) {
    return new UnimplementedError(
      `signal ${name} is not in contract ${contract.name} (the contract this peer calls)`,
    );
  }
  const result = checked?.checkOutboundSignal(name, payload);
  return result === undefined || result.ok ? undefined : result.error;
}

/** One signal that aborts when either does (`undefined` when neither is given). */
export function linkSignals(
  own: AbortSignal | undefined,
  parent: AbortSignal | undefined,
): AbortSignal | undefined {
  if (own === undefined) return parent;
  if (parent === undefined) return own;
  return AbortSignal.any([own, parent]);
}

function checkOptions(options: CallOptions): Error | undefined {
  if (typeof options !== "object" || options === null) {
    return new InvalidOptionError(`call options must be an object (got ${describe(options)})`);
  }
  const { timeoutMs, signal, metadata } = options;
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== "number" || !(timeoutMs > 0) || timeoutMs > MAX_TIMER_MS)
  ) {
    return new InvalidOptionError(
      `timeoutMs must be a number from 1 to ${MAX_TIMER_MS} (got ${describe(timeoutMs)}); every call has a deadline`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    return new InvalidOptionError(`signal must be an AbortSignal (got ${describe(signal)})`);
  }
  if (metadata !== undefined && (typeof metadata !== "object" || metadata === null)) {
    return new InvalidOptionError(
      `metadata must be an object of strings (got ${describe(metadata)})`,
    );
  }
  return undefined;
}

/** What a name proxy holds: a function per name. */
export type NameProxy<R> = Readonly<Record<string, (arg?: unknown, options?: unknown) => R>>;

/**
 * An object whose every string property is `(arg, options) => invoke(name, arg, options)`, with
 * `knownNames` as own properties. `then` stays undefined, or `await peer.call` would call a method
 * named "then" and never settle.
 */
export function createNameProxy<R>(
  invoke: (name: string, arg: unknown, options: unknown) => R,
  knownNames: readonly string[] = [],
): NameProxy<R> {
  const made = new Map<string, (arg?: unknown, options?: unknown) => R>();
  const functionFor = (name: string) => {
    let fn = made.get(name);
    if (fn === undefined) {
      fn = (arg?: unknown, options?: unknown) => invoke(name, arg, options);
      made.set(name, fn);
    }
    return fn;
  };
  const fallback = new Proxy(Object.create(null), {
    get(_target, name) {
      if (typeof name !== "string" || name === "then") return undefined;
      return functionFor(name);
    },
  });
  const names: Record<string, (arg?: unknown, options?: unknown) => R> = Object.create(fallback);
  for (const name of knownNames) {
    if (name !== "then") names[name] = functionFor(name);
  }
  return Object.freeze(names);
}

function noop(): void {}
