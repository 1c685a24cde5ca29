/**
 * Calls waiting for a connection while a client reconnects: each waits until the picker has a peer,
 * the client refuses calls (closed, failed), its signal aborts, or its deadline passes.
 */
import { CancelledError } from "@parley/peer";
import { monotonicNow } from "@parley/peer/internal";
import { WaitDeadlineError } from "./errors.js";

/** The calls waiting for a connection; {@link PeerWaiters.wake} re-checks them all. */
export class PeerWaiters {
  private readonly waiting = new Set<() => void>();

  /**
   * Resolves with `pick()`'s peer once there is one, rejects with `refusal()` once there is one.
   * `deadline` is a `performance.now()` time (`Number.POSITIVE_INFINITY`: no deadline).
   */
  wait<P>(
    deadline: number,
    signal: AbortSignal | undefined,
    pick: () => P | undefined,
    refusal: () => Error | undefined,
  ): Promise<P> {
    const refused = refusal();
    if (refused !== undefined) return Promise.reject(refused);
    if (signal?.aborted) return Promise.reject(cancelled(signal));
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiting.delete(wake);
        settle();
      };
      const wake = () => {
        const peer = pick();
        const error = peer === undefined ? refusal() : undefined;
        if (peer !== undefined) finish(() => resolve(peer));
        else if (error !== undefined) finish(() => reject(error));
      };
      const onAbort = () => finish(() => reject(cancelled(signal!)));
      // One timer per waiting call is fine here: calls only wait while the link is down. It stays
      // ref'd: a call waiting for a reconnect keeps the process alive, as an open socket would.
      // Only a stream method without a deadline (timeoutMs Infinity) waits with no timer; any
      // other deadline (a bad one is refused before the wait) gets one, so no call waits forever.
      const timer =
        deadline === Number.POSITIVE_INFINITY
          ? undefined
          : setTimeout(
              () => finish(() => reject(new WaitDeadlineError(epochTime(deadline)))),
              Math.max(0, deadline - monotonicNow()),
            );
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.add(wake);
    });
  }

  /** Re-checks every waiting call (a connection came, or the client stopped taking calls). */
  wake(): void {
    for (const wake of [...this.waiting]) wake();
  }
}

function cancelled(signal: AbortSignal): CancelledError {
  return new CancelledError(
    "the call was cancelled while it waited for a reconnect; it was not sent",
    { notExecuted: true, cause: signal.reason },
  );
}

/** A `performance.now()` time on Date.now()'s clock, for messages. */
function epochTime(monotonic: number): number {
  return Date.now() + (monotonic - monotonicNow());
}
