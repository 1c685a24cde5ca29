import { EventEmitter } from "node:events";
import type { AnyContract, ContractCaller } from "@parley/codec";
import type { Connection } from "@parley/framing";
import {
  type CallOptions,
  type CloseInfo,
  createPeer,
  DeadlineExceededError,
  type InputOf,
  type MethodOf,
  type OutputOf,
  type Peer,
  type PeerOptions,
  type SignalInputOf,
  type SignalNameOf,
  type SignalOptions,
} from "@parley/peer";
import { Backoff, type BackoffOptions, resolveBackoff } from "./backoff.js";
import { type EndpointOptions, resolveEndpoint } from "./endpoint.js";
import {
  ClientClosedError,
  NotConnectedError,
  ReconnectFailedError,
  WaitDeadlineError,
} from "./errors.js";

/** Options of {@link connect}: the address, the contract to call, and every peer option. */
export interface ConnectOptions<
  C extends AnyContract,
  S extends AnyContract | undefined = undefined,
> extends Omit<PeerOptions<S, C>, "calls" | "side">,
    EndpointOptions {
  /** Where to connect: `tcp://host:port`, `unix:///path.sock`, `tls://host:port`. */
  url: string;
  /** The contract this client calls. */
  contract: C;
  /**
   * Reconnect after the connection drops, with exponential backoff and jitter. `true` uses the
   * defaults. Off by default: a dropped connection then closes the client.
   * @default false
   */
  reconnect?: boolean | BackoffOptions;
  /**
   * While disconnected, calls wait for the next connection within their deadline (`true`) or fail
   * at once with `NOT_CONNECTED` (`false`).
   * @default true
   */
  waitForConnection?: boolean;
}

/** What a call needs from the handler it is made in, to inherit its deadline and cancellation. */
export interface ParentCall {
  /** Aborts when the parent call is cancelled or times out. */
  readonly signal: AbortSignal;
  /** Milliseconds left of the parent's deadline. */
  remainingMs(): number;
}

/** Per-call options of a {@link Client}: the engine's, plus `parent`. */
export interface ClientCallOptions extends CallOptions {
  /**
   * The handler context this call is made from (e.g. a gateway calling a backend on another
   * connection): the call gets at most the parent's remaining deadline and is cancelled with it,
   * like grpc-js's deadline and cancellation propagation.
   */
  parent?: ParentCall;
}

/** Events a {@link Client} emits. */
export interface ClientEvents {
  /** The connection dropped; `willReconnect` says whether the client tries again. */
  disconnect: [info: CloseInfo, willReconnect: boolean];
  /** A reconnect attempt failed; the next one starts after `delayMs`. */
  reconnecting: [attempt: number, delayMs: number, error: Error];
  /** A new connection is up and its Hello is done. */
  reconnect: [attempt: number];
}

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
  private waiters = new Set<() => void>();
  private readonly backoff: Backoff | undefined;
  private closing: Promise<void> | undefined;
  private readonly closedInfo: Promise<CloseInfo>;
  private resolveClosed!: (info: CloseInfo) => void;
  private lastCloseInfo: CloseInfo | undefined;

  /** @internal use {@link connect}. */
  constructor(
    private readonly options: ConnectOptions<C, S>,
    private readonly open: () => Promise<Connection>,
    first: Peer<S, C>,
  ) {
    super();
    this.backoff = options.reconnect
      ? new Backoff(resolveBackoff(options.reconnect === true ? {} : options.reconnect))
      : undefined;
    this.closedInfo = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.call = createCaller(this);
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
   * @throws the peer's call errors; `NOT_CONNECTED`; `CLIENT_CLOSED`
   */
  request<M extends MethodOf<C>>(
    method: M,
    input: InputOf<C, M>,
    options: ClientCallOptions = {},
  ): Promise<OutputOf<C, M>> {
    if (options.parent !== undefined) {
      const inherited = this.inherit(options.parent, options);
      if (inherited instanceof Error) return Promise.reject(inherited);
      options = inherited;
    }
    const peer = this.current;
    // Fast path: connected and nothing to retry into; no extra async frame per call.
    if (peer !== undefined && this.backoff === undefined)
      return peer.request(method, input, options);
    return this.requestWithRetry(method, input, options);
  }

  /** Sends a one-way signal over the current connection. @throws `NOT_CONNECTED` while disconnected */
  signal<N extends SignalNameOf<C>>(
    name: N,
    payload: SignalInputOf<C, N>,
    options?: SignalOptions,
  ): Promise<void> {
    const peer = this.current;
    if (peer === undefined) return Promise.reject(this.notConnected());
    return peer.signal(name, payload, options);
  }

  /** Graceful close: stop reconnecting, Bye on the live connection, settle waiting calls. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = this.shutdown((peer) => peer.close());
    return this.closing;
  }

  /** Abrupt close: reset the connection and reject everything pending at once. */
  destroy(error?: Error): void {
    if (this.state === "closed") return;
    this.closing ??= this.shutdown((peer) => {
      peer.destroy(error);
      return peer.closed.then(() => undefined);
    });
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
    const ownMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 30_000;
    const signal =
      options.signal === undefined
        ? parent.signal
        : AbortSignal.any([options.signal, parent.signal]);
    return { ...options, timeoutMs: Math.min(ownMs, remainingMs), signal };
  }

  private async shutdown(stop: (peer: Peer<S, C>) => Promise<void>): Promise<void> {
    this.state = "closing";
    this.wakeWaiters();
    const peer = this.current;
    if (peer) await stop(peer);
    const info = peer ? await peer.closed : this.lastCloseInfo;
    this.state = "closed";
    this.resolveClosed(info ?? localCloseInfo());
  }

  private adopt(peer: Peer<S, C>): void {
    this.current = peer;
    this.state = "ready";
    this.backoff?.reset();
    this.wakeWaiters();
    void peer.closed.then((info) => this.onPeerClosed(peer, info));
  }

  private onPeerClosed(peer: Peer<S, C>, info: CloseInfo): void {
    if (this.current !== peer) return;
    this.current = undefined;
    this.lastCloseInfo = info;
    if (this.state === "closing" || this.state === "closed") return;
    const willReconnect =
      this.backoff !== undefined && !(info.initiator === "local" && info.reason !== "error");
    this.emit("disconnect", info, willReconnect);
    if (!willReconnect) {
      this.state = "closed";
      this.wakeWaiters();
      this.resolveClosed(info);
      return;
    }
    this.state = "reconnecting";
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    const backoff = this.backoff!;
    while (this.state === "reconnecting") {
      if (backoff.exhausted) {
        this.state = "closed";
        this.lastCloseInfo = {
          ...(this.lastCloseInfo ?? localCloseInfo()),
          error: new ReconnectFailedError(backoff.attempts),
        };
        this.wakeWaiters();
        this.resolveClosed(this.lastCloseInfo);
        return;
      }
      const delayMs = backoff.nextDelayMs();
      await sleep(delayMs);
      if (this.state !== "reconnecting") return;
      try {
        const peer = createPeer(await this.open(), {
          ...this.options,
          calls: this.options.contract,
          side: "client",
        } as PeerOptions<S, C>);
        await peer.ready;
        if (this.state !== "reconnecting") {
          await peer.close();
          return;
        }
        const attempt = backoff.attempts;
        this.adopt(peer);
        this.emit("reconnect", attempt);
      } catch (error) {
        this.emit("reconnecting", backoff.attempts, delayMs, error as Error);
      }
    }
  }

  private async requestWithRetry<M extends MethodOf<C>>(
    method: M,
    input: InputOf<C, M>,
    options: CallOptions,
  ): Promise<OutputOf<C, M>> {
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
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
        if (failed !== undefined || !this.mayRetry(method, error)) throw error;
        failed = peer;
      }
    }
  }

  private mayRetry(method: string, error: unknown): boolean {
    if (this.backoff === undefined || this.state === "closing" || this.state === "closed")
      return false;
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
    if (this.options.waitForConnection === false) return Promise.reject(this.notConnected());
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
      const onAbort = () => finish(() => reject(signal?.reason ?? new Error("aborted")));
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

  private notConnected(): NotConnectedError {
    return new NotConnectedError(this.state === "reconnecting");
  }
}

function createCaller<C extends AnyContract>(
  client: Client<C, AnyContract | undefined>,
): ContractCaller<C, ClientCallOptions> {
  const cache = new Map<
    string,
    (input: unknown, options?: ClientCallOptions) => Promise<unknown>
  >();
  return new Proxy(Object.create(null), {
    get(_target, method) {
      if (typeof method !== "string") return undefined;
      let fn = cache.get(method);
      if (fn === undefined) {
        fn = (input, options) => client.request(method as MethodOf<C>, input as never, options);
        cache.set(method, fn);
      }
      return fn;
    },
  }) as ContractCaller<C, ClientCallOptions>;
}

function localCloseInfo(): CloseInfo {
  return {
    initiator: "local",
    reason: "graceful",
    calls: { completed: 0, rejected: 0, abandoned: 0 },
  } as CloseInfo;
}

// Ref'd on purpose: a reconnecting client is a live resource until close(), like a connected one.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Connects to a Parley server by URL, runs the Hello handshake and returns a typed client.
 * @throws transport errors (`CONNECT_REFUSED`, `CONNECT_TIMEOUT`, ...) and handshake errors
 * @example
 * const client = await connect({ url: "tcp://127.0.0.1:7000", contract: calculator });
 * const sum = await client.call.add({ a: 1, b: 2 });
 */
export async function connect<C extends AnyContract, S extends AnyContract | undefined = undefined>(
  options: ConnectOptions<C, S>,
): Promise<Client<C, S>> {
  if (options.reconnect) resolveBackoff(options.reconnect === true ? {} : options.reconnect);
  const endpoint = resolveEndpoint(options.url, options);
  const open = () => endpoint.connect();
  const peer = createPeer(await open(), {
    ...options,
    calls: options.contract,
    side: "client",
  } as PeerOptions<S, C>);
  try {
    await peer.ready;
  } catch (error) {
    peer.destroy(error as Error);
    throw error;
  }
  return new Client<C, S>(options, open, peer);
}
