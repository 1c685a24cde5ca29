import { setTimeout as delay } from "node:timers/promises";
import { monotonicNow } from "@parley/peer/internal";
import type { Backoff } from "./backoff.js";
import { isPermanentRefusal } from "./refusals.js";

/** The part of a peer the reconnect loop needs. */
export interface Dialled {
  readonly ready: Promise<unknown>;
  readonly closed: Promise<unknown>;
  destroy(error?: Error): void;
}

/** Why a loop stopped without a connection. */
export type GaveUpReason = "attempts" | "deadline" | "refused";

/** What the loop reports to its owner. */
export interface ReconnectEvents<P> {
  /** Attempt `attempt` (1-based) failed; the next one starts after `nextDelayMs`. */
  onAttemptFailed(attempt: number, nextDelayMs: number, error: Error): void;
  /** A new peer finished its handshake. */
  onReconnected(peer: P, attempts: number): void;
  /**
   * The loop has stopped: `maxAttempts` attempts failed in a row, the deadline came, or the remote
   * refused in a way retrying cannot fix (contract, auth, protocol version, codec).
   */
  onGaveUp(attempts: number, lastError: Error, reason: GaveUpReason): void;
}

/** How a loop starts. */
export interface ReconnectStart {
  /** Dial at once instead of after the first backoff delay (the first connection of a client). */
  readonly immediate?: boolean;
  /** A `performance.now()` time after which no attempt starts. */
  readonly deadline?: number;
}

/**
 * One reconnect loop at a time: wait the backoff delay, dial, handshake, repeat on failure. `stop()`
 * cancels the wait, aborts a connect under way, destroys an attempt still in its handshake, and
 * resolves once the loop has ended, so a client that closes leaves no timer and no socket behind.
 */
export class Reconnector<P extends Dialled> {
  private abort = new AbortController();
  private attempt: P | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly backoff: Backoff,
    /** Opens a connection and its peer; `signal` aborts a connect under way (the loop stopped). */
    private readonly dial: (signal: AbortSignal) => Promise<P>,
    private readonly events: ReconnectEvents<P>,
    /** Turns a failed attempt's error into the one reported (e.g. "not a Parley peer"). */
    private readonly explain: (error: unknown) => unknown = (error) => error,
  ) {}

  /** Starts a loop (the previous one must have ended). */
  start(how: ReconnectStart = {}): void {
    this.abort = new AbortController();
    this.backoff.reset();
    this.loop = this.run(this.abort.signal, how);
  }

  /** Stops the loop and waits until it has let go of everything it opened. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.attempt?.destroy();
    await this.loop;
  }

  private async run(signal: AbortSignal, { immediate, deadline }: ReconnectStart): Promise<void> {
    let delayMs = immediate ? 0 : this.backoff.nextDelayMs();
    for (let attempt = 1; ; attempt++) {
      // Aborting ends the wait at once; the rejection only says so.
      if (delayMs > 0) await delay(delayMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        const peer = await this.dial(signal);
        this.attempt = peer;
        if (signal.aborted) peer.destroy();
        await peer.ready;
        this.attempt = undefined;
        if (signal.aborted) {
          peer.destroy();
          await peer.closed;
          return;
        }
        this.events.onReconnected(peer, attempt);
        return;
      } catch (thrown) {
        const error = await this.explain(thrown);
        const peer = this.attempt;
        this.attempt = undefined;
        if (peer !== undefined) await peer.closed;
        if (signal.aborted) return;
        const reason = this.stopReason(error, deadline);
        if (reason !== undefined) {
          this.events.onGaveUp(attempt, error as Error, reason);
          return;
        }
        delayMs = this.backoff.nextDelayMs();
        if (deadline !== undefined) delayMs = Math.min(delayMs, deadline - monotonicNow());
        this.events.onAttemptFailed(attempt, delayMs, error as Error);
      }
    }
  }

  /** Why the loop must stop after a failed attempt, or undefined to go on. */
  private stopReason(error: unknown, deadline: number | undefined): GaveUpReason | undefined {
    if (isPermanentRefusal(error)) return "refused";
    if (this.backoff.exhausted) return "attempts";
    if (deadline !== undefined && monotonicNow() >= deadline) return "deadline";
    return undefined;
  }
}
