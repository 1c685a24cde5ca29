/**
 * A call made from a handler on another connection (`options.parent`): it gets at most the
 * parent's remaining deadline and is cancelled with it, the way grpc-js propagates deadlines and
 * cancellation. One rule for unary calls and stream calls alike.
 */
import { type CallOptions, DeadlineExceededError } from "@parley/peer";
import { linkSignals } from "@parley/peer/internal";
import type { ClientCallOptions, ParentCall } from "./client-options.js";

/**
 * `options` bounded by `parent`, without it; `defaultTimeoutMs` is the call's deadline when
 * `options.timeoutMs` is not given. An Error when the parent is already over: the call is not sent.
 */
export function inheritParent(
  parent: ParentCall,
  { parent: _, ...options }: ClientCallOptions,
  defaultTimeoutMs: number,
): CallOptions | DeadlineExceededError {
  const remainingMs = Math.floor(parent.remainingMs());
  if (remainingMs <= 0 || parent.signal.aborted) {
    return new DeadlineExceededError(
      "the parent call's deadline has passed or it was cancelled; the call was not sent",
      { notExecuted: true },
    );
  }
  return {
    ...options,
    timeoutMs: Math.min(options.timeoutMs ?? defaultTimeoutMs, remainingMs),
    signal: linkSignals(options.signal, parent.signal),
  };
}
