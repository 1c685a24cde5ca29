/**
 * One endpoint of a client: its live peer and the loop that replaces it after a drop. It reports
 * each peer as it becomes ready and as it closes; the client hands them to its picker
 * (picker.ts), which calls go through. Balancing over many endpoints adds sub-connections and a
 * picker, and changes nothing here (as grpc-js has subchannels under a load-balancing picker).
 */
import type { CloseInfo } from "@parley/peer";
import { monotonicNow } from "@parley/peer/internal";
import type { Backoff } from "./backoff.js";
import { type GaveUpReason, Reconnector } from "./reconnector.js";

/** The life of a sub-connection; `failed` and `closed` are final. */
export type SubConnectionState = "connecting" | "ready" | "reconnecting" | "failed" | "closed";

/** What a sub-connection reports to the client that owns it. */
export interface SubConnectionListener<P> {
  /** A peer finished its Hello (`attempt` 0 for a first connection made without retries). */
  onReady(peer: P, attempt: number): void;
  /** The live `peer` closed; `willReconnect` says whether a reconnect loop starts. */
  onDisconnect(peer: P, info: CloseInfo, willReconnect: boolean): void;
  /** A connection attempt failed; the next starts after `delayMs`. */
  onAttemptFailed(attempt: number, delayMs: number, error: Error): void;
  /** No peer will come any more: retries ran out, were refused, or were never allowed. */
  onFailed(attempts: number, lastError: Error, reason: GaveUpReason | "lost"): void;
}

/** The part of a peer a sub-connection uses. */
export interface SubPeer {
  readonly ready: Promise<unknown>;
  readonly closed: Promise<CloseInfo>;
  close(): Promise<void>;
  destroy(error?: Error): void;
}

const TRANSITIONS: Readonly<Record<SubConnectionState, readonly SubConnectionState[]>> = {
  connecting: ["ready", "failed", "closed"],
  ready: ["reconnecting", "failed", "closed"],
  reconnecting: ["ready", "failed", "closed"],
  failed: ["closed"],
  closed: [],
};

/** One endpoint: a dialler, the current peer, and (with reconnect on) a backoff loop. */
export class SubConnection<P extends SubPeer> {
  private current: SubConnectionState = "connecting";
  private live: P | undefined;
  private lastInfo: CloseInfo | undefined;
  private readonly reconnector: Reconnector<P> | undefined;

  constructor(
    private readonly dial: (signal?: AbortSignal) => Promise<P>,
    /** Off (undefined): a dropped peer fails the sub-connection. */
    backoff: Backoff | undefined,
    private readonly listener: SubConnectionListener<P>,
    /** Turns a failed attempt's error into the one reported (e.g. "not a Parley peer"). */
    private readonly explain: (error: unknown) => unknown = (error) => error,
  ) {
    this.reconnector =
      backoff === undefined
        ? undefined
        : new Reconnector(
            backoff,
            dial,
            {
              onAttemptFailed: (attempt, delayMs, error) =>
                this.listener.onAttemptFailed(attempt, delayMs, error),
              onReconnected: (peer, attempt) => this.adopt(peer, attempt),
              onGaveUp: (attempts, error, reason) => this.fail(attempts, error, reason),
            },
            explain,
          );
  }

  get state(): SubConnectionState {
    return this.current;
  }

  /** The CloseInfo of the last peer that closed, if any. */
  get lastCloseInfo(): CloseInfo | undefined {
    return this.lastInfo;
  }

  /** True when calls lost with a connection may be retried on a later one. */
  get reconnects(): boolean {
    return this.reconnector !== undefined;
  }

  /**
   * Makes the first connection. Without `waitForReadyMs` one attempt, whose error is thrown; with
   * it, attempts follow the reconnect backoff until that many milliseconds have passed, then the
   * last attempt's error is thrown (a refusal retrying cannot fix is thrown at once).
   */
  async connect(waitForReadyMs: number | undefined, retry: Backoff): Promise<P> {
    if (waitForReadyMs === undefined) {
      const peer = await this.dial().catch(async (error: unknown) => {
        throw await this.explain(error);
      });
      try {
        await peer.ready;
      } catch (error) {
        peer.destroy(error as Error);
        throw await this.explain(error);
      }
      this.adopt(peer, 0);
      return peer;
    }
    return new Promise<P>((resolve, reject) => {
      const first = new Reconnector(
        retry,
        this.dial,
        {
          onAttemptFailed: (attempt, delayMs, error) =>
            this.listener.onAttemptFailed(attempt, delayMs, error),
          onReconnected: (peer, attempt) => {
            this.adopt(peer, attempt);
            resolve(peer);
          },
          onGaveUp: (_attempts, error) => reject(error),
        },
        this.explain,
      );
      first.start({ immediate: true, deadline: monotonicNow() + waitForReadyMs });
    });
  }

  /** Stops reconnecting, then closes (or with `destroyed`, resets) the live peer. */
  async close(destroyed: boolean): Promise<CloseInfo | undefined> {
    if (this.current !== "closed") this.setState(this.current, "closed");
    await this.reconnector?.stop();
    const peer = this.live;
    if (peer === undefined) return undefined;
    if (destroyed) peer.destroy();
    else await peer.close();
    return peer.closed;
  }

  /** Resets the live peer at once (escalates a close in progress). */
  destroy(error?: Error): void {
    this.live?.destroy(error);
  }

  private adopt(peer: P, attempt: number): void {
    if (this.current === "closed") {
      peer.destroy();
      return;
    }
    this.setState(this.current, "ready");
    this.live = peer;
    void peer.closed.then((info) => this.onPeerClosed(peer, info));
    this.listener.onReady(peer, attempt);
  }

  private onPeerClosed(peer: P, info: CloseInfo): void {
    if (this.live !== peer) return;
    this.lastInfo = info;
    if (this.current === "closed") return;
    this.live = undefined;
    // A peer this side closed on purpose (not for an error) is not replaced.
    const willReconnect =
      this.reconnector !== undefined && !(info.initiator === "local" && info.reason !== "error");
    this.listener.onDisconnect(peer, info, willReconnect);
    if (!willReconnect) {
      this.fail(0, info.error ?? new Error("the connection closed"), "lost");
      return;
    }
    this.setState("ready", "reconnecting");
    this.reconnector.start();
  }

  private fail(attempts: number, error: Error, reason: GaveUpReason | "lost"): void {
    if (this.current === "closed" || this.current === "failed") return;
    this.setState(this.current, "failed");
    this.listener.onFailed(attempts, error, reason);
  }

  /** The one place the state changes; refuses a transition the table does not allow. */
  private setState(from: SubConnectionState, to: SubConnectionState): void {
    if (this.current !== from || !TRANSITIONS[from].includes(to)) {
      throw new Error(`sub-connection: illegal transition ${this.current} -> ${to}`);
    }
    this.current = to;
  }
}
