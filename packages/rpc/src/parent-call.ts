/**
 * A call made from a handler on another connection (`options.parent`): it gets at most the
 * parent's remaining deadline and is cancelled with it, the way grpc-js propagates deadlines and
 * cancellation. One rule for unary calls and stream calls alike.
 */
import { InvalidOptionError } from "@parley/framing";
import { type CallOptions, CancelledError, DeadlineExceededError } from "@parley/peer";
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
): CallOptions | Error {
  if (
    typeof parent !== "object" ||
    parent === null ||
    typeof parent.remainingMs !== "function" ||
    !(parent.signal instanceof AbortSignal)
  ) {
    return new InvalidOptionError(
      "parent must be a handler's context (its signal and remainingMs()), e.g. { parent: ctx }",
    );
  }
  if (parent.signal.aborted) {
    return new CancelledError("the parent call was cancelled; the call was not sent", {
      cause: parent.signal.reason,
      notExecuted: true,
    });
  }
  const remainingMs = Math.floor(parent.remainingMs());
  if (remainingMs <= 0) {
    return new DeadlineExceededError(
      "the parent call's deadline has passed; the call was not sent",
      { notExecuted: true },
    );
  }
  const timeoutMs = Math.min(options.timeoutMs ?? defaultTimeoutMs, remainingMs);
  const signal = linkSignals(options.signal, parent.signal);
  // Neither has a deadline (stream methods whose contracts say Infinity): the engine applies the
  // contract's own, as it refuses an explicit Infinity.
  if (timeoutMs === Number.POSITIVE_INFINITY) return { ...options, timeoutMs: undefined, signal };
  return { ...options, timeoutMs, signal };
}
