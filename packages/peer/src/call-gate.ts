/**
 * Where calls and signals enter the engine: the refusal when the peer cannot take them, the
 * per-call checks, the default deadline, and the scoped callers handed to handlers (whose calls
 * inherit the handler's deadline and cancellation).
 */
import { checkCallOptions, checkSignal, linkSignals } from "./call-options.js";
import { createNameProxy } from "./call-proxy.js";
import type { ScopedCaller, UntypedEmitter } from "./handler-context.js";
import type { OutboundCalls } from "./outbound-calls.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import type { CallOptions, SignalOptions } from "./peer-types.js";

/** Calls and signals of one peer, on their way to the outbound registry. */
export class CallGate<Caller> {
  constructor(
    private readonly o: ResolvedPeerOptions,
    private readonly outbound: OutboundCalls,
    /** Why the peer takes no new call or signal now, or undefined. */
    private readonly refusal: () => Error | undefined,
  ) {}

  /** Starts a call; `inheritedDeadline` (a `performance.now()` time) and `parentSignal` bound it. */
  call(
    method: string,
    input: unknown,
    options: CallOptions | undefined,
    inheritedDeadline?: number,
    parentSignal?: AbortSignal,
  ): Promise<unknown> {
    const o = this.o;
    const refused =
      this.refusal() ?? checkCallOptions(method, input, options, o.calls, o.checkedCalls);
    if (refused !== undefined) {
      this.outbound.counts.rejected++;
      return Promise.reject(refused);
    }
    return this.outbound.start({
      method,
      input,
      metadata: options?.metadata,
      timeoutMs: options?.timeoutMs ?? this.o.requestTimeoutMs,
      inheritedDeadline,
      signal: linkSignals(options?.signal, parentSignal),
      callSite: this.o.captureCallSites ? new Error("call site") : undefined,
    });
  }

  /** Sends a signal once it is queued under the high-water mark. */
  signal(name: string, payload: unknown, options: SignalOptions | undefined): Promise<void> {
    const o = this.o;
    const refused = this.refusal() ?? checkSignal(name, payload, o.calls, o.checkedCalls);
    if (refused !== undefined) return Promise.reject(refused);
    return this.outbound.signal(name, payload, options?.metadata);
  }

  /** The caller a handler's `ctx.peer` is: bound to its deadline and signal. */
  scoped(deadline: number | undefined, signal: AbortSignal | undefined): ScopedCaller<Caller> {
    const request = (m: string, input?: unknown, opts?: CallOptions) =>
      this.call(m, input, opts, deadline, signal);
    const send = (name: string, payload?: unknown, opts?: SignalOptions) =>
      this.signal(name, payload, opts);
    const names = this.o.calls?.signalNames;
    let emit: UntypedEmitter | undefined;
    return {
      request,
      call: createNameProxy((m, input, opts) => request(m, input, opts as CallOptions)) as Caller,
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
