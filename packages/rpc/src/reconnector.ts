import { setTimeout as delay } from "node:timers/promises";
import type { Backoff } from "./backoff.js";

/** The part of a peer the reconnect loop needs. */
export interface Dialled {
  readonly ready: Promise<unknown>;
  readonly closed: Promise<unknown>;
  destroy(error?: Error): void;
}

/** What the loop reports to its owner. */
export interface ReconnectEvents<P> {
  /** Attempt `attempt` (1-based) failed; the next one starts after `nextDelayMs`. */
  onAttemptFailed(attempt: number, nextDelayMs: number, error: Error): void;
  /** A new peer finished its handshake. */
  onReconnected(peer: P, attempts: number): void;
  /** `maxAttempts` attempts failed in a row; the loop has stopped. */
  onGaveUp(attempts: number, lastError: Error): void;
}

/**
 * One reconnect loop at a time: wait the backoff delay, dial, handshake, repeat on failure. `stop()`
 * cancels the wait, destroys an attempt still in its handshake, and resolves once the loop has
 * ended, so a client that closes leaves no timer and no socket behind.
 */
export class Reconnector<P extends Dialled> {
  private abort = new AbortController();
  private attempt: P | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly backoff: Backoff,
    private readonly dial: () => Promise<P>,
    private readonly events: ReconnectEvents<P>,
  ) {}

  /** Starts a loop (the previous one must have ended). */
  start(): void {
    this.abort = new AbortController();
    this.backoff.reset();
    this.loop = this.run(this.abort.signal);
  }

  /** Stops the loop and waits until it has let go of everything it opened. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.attempt?.destroy();
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let delayMs = this.backoff.nextDelayMs();
    for (let attempt = 1; ; attempt++) {
      // Aborting ends the wait at once; the rejection only says so.
      await delay(delayMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        const peer = await this.dial();
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
      } catch (error) {
        const peer = this.attempt;
        this.attempt = undefined;
        if (peer !== undefined) await peer.closed;
        if (signal.aborted) return;
        if (this.backoff.exhausted) {
          this.events.onGaveUp(attempt, error as Error);
          return;
        }
        delayMs = this.backoff.nextDelayMs();
        this.events.onAttemptFailed(attempt, delayMs, error as Error);
      }
    }
  }
}
