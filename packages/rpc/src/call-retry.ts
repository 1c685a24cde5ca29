/**
 * The calls of a client that reconnects, or that has no connection yet: README "Retries". A call
 * is sent again at most once, on a new connection, and only when that is known to be safe: it was
 * refused unexecuted (`UNAVAILABLE`, `notExecuted`), or it was lost with the connection
 * (`CONNECTION_LOST`) on a method the contract marks idempotent. A retry, and a wait for a
 * connection, stay inside the call's first deadline.
 *
 * A call made while connected goes out at once, as a plain client's does, and only its rejection
 * reaches these rules. Before, every call ran in the retry's async frame with its options copied:
 * 1 µs more of client CPU per call at concurrency 256 (3.5-4.6 against 2.5-2.9 µs for 64 B over
 * Unix sockets), a third of what the call costs (benchmarks/src/micro/client-calls.ts).
 */
import { type CallOptions, PeerState } from "@parley/peer";
import { checkCallOptions, monotonicNow } from "@parley/peer/internal";
import { isLocalEngineError } from "./refusals.js";

/** The slice of a peer the retry uses. */
export interface RetryablePeer {
  request(method: string, input: unknown, options?: CallOptions): Promise<unknown>;
  readonly state: PeerState;
}

/** What the retry needs from its client. */
export interface RetryPort<P extends RetryablePeer> {
  /** A connected peer other than `exclude`, if there is one now. */
  pick(exclude?: P): P | undefined;
  /** A peer other than `exclude` once one is up, within `deadline` and `signal`. */
  waitForPeer(deadline: number, signal: AbortSignal | undefined, exclude?: P): Promise<P>;
  /** True while a lost call may be sent again: reconnect is on and the client takes calls. */
  retries(): boolean;
  /** The contract marks `method` idempotent. */
  isIdempotent(method: string): boolean;
  /** The budget of a call that states none. */
  readonly timeoutMs: number;
}

/** The retry rules of one client. */
export class CallRetry<P extends RetryablePeer> {
  constructor(private readonly port: RetryPort<P>) {}

  /** A call on `peer`, connected now: sent at once; its rejection may send it once more. */
  sendNow(peer: P, method: string, input: unknown, options?: CallOptions): Promise<unknown> {
    const started = monotonicNow();
    return peer.request(method, input, options).then(undefined, (error: unknown) => {
      if (!this.mayRetry(method, error, peer)) throw error;
      const o = options ?? {};
      return this.sendWhenUp(
        method,
        input,
        o,
        this.deadlineOf(o, started),
        peer,
        mayHaveRun(error),
      );
    });
  }

  /**
   * A call made while no connection is up: it waits for one. Each attempt's `timeoutMs` is derived
   * from the deadline, so the engine's own option check runs here first: a bad option fails at
   * once with the INVALID_OPTION a connected call gets from the engine.
   */
  waitAndSend(method: string, input: unknown, options?: CallOptions): Promise<unknown> {
    const invalid = checkCallOptions(method, input, options, undefined, undefined);
    if (invalid !== undefined) return Promise.reject(invalid);
    const o = options ?? {};
    return this.sendWhenUp(method, input, o, this.deadlineOf(o, monotonicNow()), undefined);
  }

  /** When a call started at `started` (a `monotonicNow()` time) must be over. */
  private deadlineOf(options: CallOptions, started: number): number {
    return started + (options.timeoutMs ?? this.port.timeoutMs);
  }

  /**
   * Waits for a peer and calls, until `deadline`; retries once unless `failed` already failed it.
   * `lost`: that failure, when the call may have run on `failed` (the caller hears of it, not of
   * a wait for the retry that ends "not sent").
   */
  private async sendWhenUp(
    method: string,
    input: unknown,
    options: CallOptions,
    deadline: number,
    failed: P | undefined,
    lost?: unknown,
  ): Promise<unknown> {
    for (;;) {
      let peer: P;
      try {
        // A retry must go out on a new connection, never on the one that just failed it.
        peer =
          this.port.pick(failed) ?? (await this.port.waitForPeer(deadline, options.signal, failed));
      } catch (waited) {
        throw lost ?? waited;
      }
      try {
        return await peer.request(method, input, {
          ...options,
          timeoutMs: Math.max(1, deadline - monotonicNow()),
        });
      } catch (error) {
        if (failed !== undefined || !this.mayRetry(method, error, peer)) throw error;
        failed = peer;
        lost = mayHaveRun(error);
      }
    }
  }

  private mayRetry(method: string, error: unknown, peer: P): boolean {
    if (!this.port.retries()) return false;
    // Only this client's own connection failing is retried: a remote handler that reports its own
    // downstream's CONNECTION_LOST (a RemoteError) says nothing about this connection.
    if (!isLocalEngineError(error) || peer.state === PeerState.Open) return false;
    // Refused unexecuted (e.g. it crossed the server's Bye): safe to send again, idempotent or not.
    if (error.code === "UNAVAILABLE") return error.notExecuted;
    // Fate unknown: only a method the contract marks idempotent may run twice.
    return error.code === "CONNECTION_LOST" && this.port.isIdempotent(method);
  }
}

/** `error` when the call it failed may have run (`CONNECTION_LOST`), else undefined. */
function mayHaveRun(error: unknown): unknown {
  return (error as { notExecuted?: boolean }).notExecuted === true ? undefined : error;
}
