/**
 * Calls waiting for a connection while a client reconnects: each waits until the picker has a peer,
 * the client refuses calls (closed, failed), its signal aborts, or its deadline passes.
 */
import { CancelledError } from "@parley/peer";
import { AbortWatch, monotonicNow } from "@parley/peer/internal";
import { WaitDeadlineError } from "./errors.js";

/** The calls waiting for a connection; {@link PeerWaiters.wake} re-checks them all. */
export class PeerWaiters {
  private readonly waiting = new Set<Waiter<unknown>>();
  /** The waiting calls' signals: one listener each, however many calls share one (abort-watch). */
  private readonly aborts = new AbortWatch<Waiter<unknown>>();

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
      const waiter = new Waiter(this, signal, pick, refusal, resolve, reject);
      // One timer per waiting call is fine here: calls only wait while the link is down. It stays
      // ref'd: a call waiting for a reconnect keeps the process alive, as an open socket would.
      // Only a stream method without a deadline (timeoutMs Infinity) waits with no timer; any
      // other deadline (a bad one is refused before the wait) gets one, so no call waits forever.
      if (deadline !== Number.POSITIVE_INFINITY) {
        waiter.timer = setTimeout(
          () => waiter.finish(new WaitDeadlineError(epochTime(deadline))),
          Math.max(0, deadline - monotonicNow()),
        );
      }
      if (signal !== undefined) this.aborts.watch(signal, waiter as Waiter<unknown>);
      this.waiting.add(waiter as Waiter<unknown>);
    });
  }

  /** Re-checks every waiting call (a connection came, or the client stopped taking calls). */
  wake(): void {
    for (const waiter of [...this.waiting]) waiter.wake();
  }

  /** `waiter` has settled: it waits no more. */
  leave(waiter: Waiter<unknown>): void {
    this.waiting.delete(waiter);
    if (waiter.signal !== undefined) this.aborts.unwatch(waiter.signal, waiter);
  }
}

/** One call waiting for a connection; it hears its signal's abort through `handleEvent`. */
class Waiter<P> {
  timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly waiters: PeerWaiters,
    readonly signal: AbortSignal | undefined,
    private readonly pick: () => P | undefined,
    private readonly refusal: () => Error | undefined,
    private readonly resolve: (peer: P) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  /** Settles with a peer if there is one now, or with the refusal if calls are refused now. */
  wake(): void {
    const peer = this.pick();
    if (peer !== undefined) this.finish(undefined, peer);
    else {
      const error = this.refusal();
      if (error !== undefined) this.finish(error);
    }
  }

  /** The signal aborted. */
  handleEvent(): void {
    this.finish(cancelled(this.signal!));
  }

  /** Stops waiting: rejects with `error`, else resolves with `peer`. */
  finish(error: Error | undefined, peer?: P): void {
    clearTimeout(this.timer);
    this.waiters.leave(this as Waiter<unknown>);
    if (error !== undefined) this.reject(error);
    else this.resolve(peer as P);
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
