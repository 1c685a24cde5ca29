import { EventEmitter } from "node:events";
import type { AnyContract, ContractCaller } from "@parley/codec";
import type { Connection } from "@parley/framing";
import {
  type CallOptions,
  CancelledError,
  type CloseInfo,
  createPeer,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DeadlineExceededError,
  type InputOf,
  type MethodOf,
  type OutputOf,
  type Peer,
  type PeerOptions,
  PeerState,
  type SignalInputOf,
  type SignalNameOf,
  type SignalOptions,
} from "@parley/peer";
import { Backoff, resolveBackoff } from "./backoff.js";
import { createCaller } from "./call-proxy.js";
import type {
  ClientCallOptions,
  ClientEvents,
  ConnectOptions,
  ParentCall,
} from "./client-options.js";
import { resolveEndpoint } from "./endpoint.js";
import {
  ClientClosedError,
  NotConnectedError,
  ReconnectFailedError,
  WaitDeadlineError,
} from "./errors.js";
import { checkConnectOptionNames } from "./option-check.js";
import { Reconnector } from "./reconnector.js";
import { explainHandshakeFailure } from "./tls-hint.js";

type ClientState = "ready" | "reconnecting" | "closing" | "closed";

/**
 * A client connection that can outlive its socket: calls wait while it reconnects, and calls lost
 * with a connection are retried once when that is known to be safe.
 */
export class Client<
  C extends AnyContract,
  S extends AnyContract | undefined = undefined,
> extends EventEmitter<ClientEvents> {
  /** Typed proxy: `client.call.add({ a: 1, b: 2 })`. */
  readonly call: ContractCaller<C, ClientCallOptions>;
  private state: ClientState = "ready";
  private current: Peer<S, C> | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly reconnector: Reconnector<Peer<S, C>> | undefined;
  private readonly timeoutMs: number;
  private closing: Promise<void> | undefined;
  private destroyed = false;
  private readonly closedInfo: Promise<CloseInfo>;
  private resolveClosed!: (info: CloseInfo) => void;
  private lastCloseInfo: CloseInfo | undefined;

  /** @internal use {@link connect}. */
  constructor(
    private readonly options: ConnectOptions<C, S>,
    dial: () => Promise<Peer<S, C>>,
    first: Peer<S, C>,
  ) {
    super();
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.reconnector = options.reconnect
      ? new Reconnector(
          new Backoff(resolveBackoff(options.reconnect === true ? {} : options.reconnect)),
          dial,
          {
            onAttemptFailed: (attempt, delayMs, error) =>
              this.emit("reconnecting", attempt, delayMs, error),
            onReconnected: (peer, attempt) => {
              this.adopt(peer);
              this.emit("reconnect", attempt);
            },
            onGaveUp: (attempts, lastError) =>
              this.finish({
                ...this.lastInfo(),
                error: new ReconnectFailedError(attempts, { cause: lastError }),
              }),
          },
        )
      : undefined;
    this.closedInfo = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.call = createCaller<C>(this as never, options.contract);
    this.adopt(first);
  }

  /** The live peer, when connected. */
  get peer(): Peer<S, C> | undefined {
    return this.current;
  }

  /** True while a connection is up and its handshake is done. */
  get connected(): boolean {
    return this.current !== undefined;
  }

  /** Settles once, when the client is closed for good; never rejects. */
  get closed(): Promise<CloseInfo> {
    return this.closedInfo;
  }

  /**
   * Calls `method` on the remote. Waits for a connection while reconnecting (within the deadline),
   * and retries once after a reconnect when the call was refused unexecuted (`UNAVAILABLE`), or was
   * lost (`CONNECTION_LOST`) on a method the contract marks idempotent.
   * @throws the peer's call errors; `NOT_CONNECTED`; `CLIENT_CLOSED`; `CANCELLED`
   */
  request<M extends MethodOf<C>>(
    method: M,
    input: InputOf<C, M>,
    options?: ClientCallOptions,
  ): Promise<OutputOf<C, M>> {
    if (options?.parent !== undefined) {
      const inherited = this.inherit(options.parent, options);
      if (inherited instanceof Error) return Promise.reject(inherited);
      options = inherited;
    }
    const peer = this.current;
    // Fast path: connected and nothing to retry into; no extra async frame per call.
    if (peer !== undefined && this.reconnector === undefined)
      return peer.request(method, input, options);
    return this.requestWithRetry(method, input, options ?? {});
  }

  /** Sends a one-way signal over the current connection. @throws `NOT_CONNECTED` while disconnected */
  signal<N extends SignalNameOf<C>>(
    name: N,
    payload: SignalInputOf<C, N>,
    options?: SignalOptions,
  ): Promise<void> {
    const peer = this.current;
    if (peer !== undefined) return peer.signal(name, payload, options);
    if (this.state === "closing" || this.state === "closed")
      return Promise.reject(new ClientClosedError());
    return Promise.reject(
      new NotConnectedError(
        "client is reconnecting and signals are not queued while disconnected; the signal was not sent",
      ),
    );
  }

  /** Graceful close: stop reconnecting, Bye on the live connection, settle waiting calls. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Abrupt close: reset the connection and reject everything pending at once; escalates a close(). */
  destroy(error?: Error): void {
    if (this.state === "closed" || this.destroyed) return;
    this.destroyed = true;
    this.current?.destroy(error);
    this.closing ??= this.shutdown();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private inherit(
    parent: ParentCall,
    { parent: _, ...options }: ClientCallOptions,
  ): CallOptions | Error {
    const remainingMs = Math.floor(parent.remainingMs());
    if (remainingMs <= 0 || parent.signal.aborted) {
      return new DeadlineExceededError(
        "the parent call's deadline has passed or it was cancelled; the call was not sent",
        { notExecuted: true },
      );
    }
    const signal =
      options.signal === undefined
        ? parent.signal
        : AbortSignal.any([options.signal, parent.signal]);
    return {
      ...options,
      timeoutMs: Math.min(options.timeoutMs ?? this.timeoutMs, remainingMs),
      signal,
    };
  }

  private async shutdown(): Promise<void> {
    this.state = "closing";
    this.wakeWaiters();
    await this.reconnector?.stop();
    const peer = this.current;
    if (peer === undefined) return this.finish(this.lastInfo());
    if (this.destroyed) peer.destroy();
    else await peer.close();
    this.finish(await peer.closed);
  }

  /** The CloseInfo to report when no live peer has one: the user closed a disconnected client. */
  private lastInfo(): CloseInfo {
    const calls = this.lastCloseInfo?.calls ?? { completed: 0, rejected: 0, abandoned: 0 };
    if (this.state !== "closing")
      return this.lastCloseInfo ?? { initiator: "local", reason: "graceful", calls };
    return { initiator: "local", reason: this.destroyed ? "abort" : "graceful", calls };
  }

  private finish(info: CloseInfo): void {
    this.state = "closed";
    this.current = undefined;
    this.wakeWaiters();
    this.resolveClosed(info);
  }

  private adopt(peer: Peer<S, C>): void {
    this.current = peer;
    this.state = "ready";
    this.wakeWaiters();
    void peer.closed.then((info) => this.onPeerClosed(peer, info));
  }

  private onPeerClosed(peer: Peer<S, C>, info: CloseInfo): void {
    if (this.current !== peer) return;
    this.current = undefined;
    this.lastCloseInfo = info;
    if (this.state === "closing" || this.state === "closed") return;
    const willReconnect =
      this.reconnector !== undefined && !(info.initiator === "local" && info.reason !== "error");
    this.emit("disconnect", info, willReconnect);
    if (!willReconnect) {
      this.finish(info);
      return;
    }
    this.state = "reconnecting";
    this.reconnector.start();
  }

  private async requestWithRetry<M extends MethodOf<C>>(
    method: M,
    input: InputOf<C, M>,
    options: CallOptions,
  ): Promise<OutputOf<C, M>> {
    const deadline = Date.now() + (options.timeoutMs ?? this.timeoutMs);
    let failed: Peer<S, C> | undefined;
    for (;;) {
      // A retry must go out on a new connection, never on the one that just failed it.
      const current = this.current;
      const peer =
        current !== undefined && current !== failed
          ? current
          : await this.waitForPeer(deadline, options.signal, failed);
      try {
        return await peer.request(method, input, {
          ...options,
          timeoutMs: Math.max(1, deadline - Date.now()),
        });
      } catch (error) {
        if (failed !== undefined || !this.mayRetry(method, error, peer)) throw error;
        failed = peer;
      }
    }
  }

  private mayRetry(method: string, error: unknown, peer: Peer<S, C>): boolean {
    if (this.reconnector === undefined || this.state === "closing" || this.state === "closed")
      return false;
    // Only this client's own connection failing is retried: a remote handler that reports its own
    // downstream's CONNECTION_LOST (a RemoteError) says nothing about this connection.
    if ((error as Error).name === "RemoteError" || peer.state === PeerState.Open) return false;
    const code = (error as { code?: string }).code;
    // Refused unexecuted (e.g. it crossed the server's Bye): safe to send again, idempotent or not.
    if (code === "UNAVAILABLE") return (error as { notExecuted?: boolean }).notExecuted === true;
    // Fate unknown: only a method the contract marks idempotent may run twice.
    return code === "CONNECTION_LOST" && this.options.contract.isIdempotent(method);
  }

  private waitForPeer(
    deadline: number,
    signal: AbortSignal | undefined,
    exclude?: Peer<S, C>,
  ): Promise<Peer<S, C>> {
    if (this.state === "closing" || this.state === "closed")
      return Promise.reject(new ClientClosedError());
    if (signal?.aborted) return Promise.reject(cancelled(signal));
    if (this.options.waitForConnection === false) {
      return Promise.reject(
        new NotConnectedError(
          "client is reconnecting and waitForConnection is false; the call was not sent",
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(wake);
        settle();
      };
      const wake = () => {
        const current = this.current;
        if (current !== undefined && current !== exclude) finish(() => resolve(current));
        else if (this.state === "closing" || this.state === "closed")
          finish(() => reject(new ClientClosedError()));
      };
      const onAbort = () => finish(() => reject(cancelled(signal!)));
      // One timer per waiting call is fine here: calls only wait while the link is down. It stays
      // ref'd: a call waiting for a reconnect keeps the process alive, as an open socket would.
      const timer = setTimeout(
        () => finish(() => reject(new WaitDeadlineError(deadline))),
        Math.max(0, deadline - Date.now()),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(wake);
    });
  }

  private wakeWaiters(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

function cancelled(signal: AbortSignal): CancelledError {
  return new CancelledError(
    "the call was cancelled while it waited for a reconnect; it was not sent",
    { notExecuted: true, cause: signal.reason },
  );
}

/** Opens a connection and builds a peer on it; the connection is reset if the peer cannot be built. */
async function dialPeer<C extends AnyContract, S extends AnyContract | undefined>(
  open: () => Promise<Connection>,
  options: PeerOptions<S, C>,
): Promise<Peer<S, C>> {
  const connection = await open();
  try {
    return createPeer(connection, options);
  } catch (error) {
    connection.reset(error as Error);
    throw error;
  }
}

/**
 * Connects to a Parley server by URL, runs the Hello handshake and returns a typed client.
 * @throws transport errors (`CONNECT_REFUSED`, `CONNECT_TIMEOUT`, ...), handshake errors, `INVALID_OPTION`
 * @example
 * const client = await connect({ url: "tcp://127.0.0.1:7000", contract: calculator });
 * const sum = await client.call.add({ a: 1, b: 2 });
 */
export async function connect<C extends AnyContract, S extends AnyContract | undefined = undefined>(
  options: ConnectOptions<C, S>,
): Promise<Client<C, S>> {
  checkConnectOptionNames(options);
  if (options.reconnect) resolveBackoff(options.reconnect === true ? {} : options.reconnect);
  const endpoint = resolveEndpoint(options.url, options);
  const peerOptions = { ...options, calls: options.contract, side: "client" } as PeerOptions<S, C>;
  const dial = () => dialPeer(() => endpoint.connect(), peerOptions);
  const peer = await dial();
  try {
    await peer.ready;
  } catch (error) {
    peer.destroy(error as Error);
    throw await explainHandshakeFailure(options.url, error);
  }
  return new Client<C, S>(options, dial, peer);
}
