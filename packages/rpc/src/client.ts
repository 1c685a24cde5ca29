import { EventEmitter } from "node:events";
import type { AnyContract, ContractCaller, ContractStreamCaller } from "@parley/codec";
import {
  type CloseInfo,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type InputOf,
  type MethodOf,
  type OutputOf,
  type Peer,
  type SignalInputOf,
  type SignalNameOf,
  type SignalOptions,
} from "@parley/peer";
import { createNameProxy } from "@parley/peer/internal";
import type { Backoff } from "./backoff.js";
import { CallRetry } from "./call-retry.js";
import { failureErrors, localClose } from "./client-failures.js";
import type { ClientCallOptions, ClientEvents, ConnectOptions } from "./client-options.js";
import { ClientStreams } from "./client-streams.js";
import { ClientClosedError, NotConnectedError } from "./errors.js";
import { inheritParent } from "./parent-call.js";
import { PeerWaiters } from "./peer-waiters.js";
import { type Picker, SingleEndpointPicker } from "./picker.js";
import type { GaveUpReason } from "./reconnector.js";
import { SubConnection } from "./sub-connection.js";

/**
 * Where a client is: `ready` (a connection is up), `reconnecting`, `failed` (no connection will
 * come: reconnect off and the link dropped, retries ran out, or the server refused in a way
 * retrying cannot fix; `closed` says why), `closing`, `closed` (by `close()`/`destroy()`).
 */
export type ClientState = "ready" | "reconnecting" | "failed" | "closing" | "closed";

const TRANSITIONS: Readonly<Record<ClientState, readonly ClientState[]>> = {
  ready: ["reconnecting", "failed", "closing"],
  reconnecting: ["ready", "failed", "closing"],
  failed: ["closing"],
  closing: ["closed"],
  closed: [],
};

/**
 * A client connection that can outlive its socket: calls wait while it reconnects, and calls lost
 * with a connection are retried once when that is known to be safe. Calls reach the connection
 * through a picker over sub-connections (one endpoint today).
 */
export class Client<
  C extends AnyContract,
  S extends AnyContract | undefined = undefined,
> extends EventEmitter<ClientEvents> {
  /**
   * Typed proxy: `client.call.add({ a: 1, b: 2 })` is `client.request("add", { a: 1, b: 2 })`.
   * The contract's methods are plain properties (a property load per call, no Proxy trap); another
   * name still gives a function, whose call is refused as `UNIMPLEMENTED` like `request()` would be.
   */
  readonly call: ContractCaller<C, ClientCallOptions>;
  /**
   * Typed proxy for the methods that yield: `for await (const line of client.stream.tail(n))`.
   * While reconnecting a stream call waits for the connection as `call` does; once sent it is
   * never retried.
   */
  readonly stream: ContractStreamCaller<C, ClientCallOptions>;
  /** Stream calls wait for a connection as calls do, but are never retried (client-streams.ts). */
  private readonly streams: ClientStreams<C>;
  private current: ClientState = "ready";
  /** Why no connection will come (state `failed`): the error later calls fail with. */
  private failure: Error | undefined;
  private readonly waiters = new PeerWaiters();
  private readonly timeoutMs: number;
  private closing: Promise<void> | undefined;
  private destroyed = false;
  private readonly closedInfo: Promise<CloseInfo>;
  private resolveClosed!: (info: CloseInfo) => void;
  private readonly sub: SubConnection<Peer<S, C>>;
  private readonly picker: Picker<Peer<S, C>> = new SingleEndpointPicker();
  private readonly retry: CallRetry<Peer<S, C>>;

  /** @internal use {@link connect}. */
  constructor(
    private readonly options: ConnectOptions<C, S>,
    dial: (signal?: AbortSignal) => Promise<Peer<S, C>>,
    backoff: Backoff | undefined,
    explain?: (error: unknown) => unknown,
  ) {
    super();
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.closedInfo = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    // Parts in dependency order: the picker first, then the sub-connection, which reports to it
    // (through this client) only after open() is called.
    this.sub = new SubConnection(
      dial,
      backoff,
      {
        onReady: (peer, attempt) => this.onReady(peer, attempt),
        onDisconnect: (peer, info, willReconnect) => this.onDisconnect(peer, info, willReconnect),
        onAttemptFailed: (attempt, delayMs, error) =>
          this.emit("reconnecting", attempt, delayMs, error),
        onFailed: (attempts, error, reason) => this.onFailed(attempts, error, reason),
      },
      explain,
    );
    this.call = createNameProxy(
      (method, input, callOptions) =>
        this.request(method as MethodOf<C>, input as never, callOptions as ClientCallOptions),
      options.contract.requestNames,
    ) as unknown as ContractCaller<C, ClientCallOptions>;
    this.streams = new ClientStreams<C>(
      {
        pick: () => this.picker.pick() as never,
        refusal: () => this.refusal(),
        waitForPeer: (deadline, signal) => this.waitForPeer(deadline, signal) as never,
        notConnected: () => this.notConnected(),
      },
      options.contract,
    );
    this.stream = this.streams.caller();
    this.retry = new CallRetry<Peer<S, C>>({
      pick: (exclude) => this.picker.pick(exclude),
      waitForPeer: (deadline, signal, exclude) => this.waitForPeer(deadline, signal, exclude),
      retries: () => this.sub.reconnects && this.refusal() === undefined,
      isIdempotent: (method) => options.contract.isIdempotent(method),
      timeoutMs: this.timeoutMs,
    });
  }

  /**
   * @internal Makes the first connection (connect() awaits it): one attempt, or with
   * `waitForReadyMs` attempts on the backoff until then.
   */
  async open(waitForReadyMs: number | undefined, retry: Backoff): Promise<this> {
    await this.sub.connect(waitForReadyMs, retry);
    return this;
  }

  /** The live peer, when connected. */
  get peer(): Peer<S, C> | undefined {
    return this.picker.pick();
  }

  /** True while a connection is up and its handshake is done. */
  get connected(): boolean {
    return this.picker.pick() !== undefined;
  }

  /** Where the client is in its life; see {@link ClientState}. */
  get state(): ClientState {
    return this.current;
  }

  /** Settles once, when the client is closed for good or has failed; never rejects. */
  get closed(): Promise<CloseInfo> {
    return this.closedInfo;
  }

  /**
   * Calls `method` on the remote. Waits for a connection while reconnecting (within the deadline),
   * and retries once after a reconnect when the call was refused unexecuted (`UNAVAILABLE`), or was
   * lost (`CONNECTION_LOST`) on a method the contract marks idempotent.
   * @throws the peer's call errors; `NOT_CONNECTED`; `CLIENT_CLOSED`; `RECONNECT_REFUSED`;
   *   `CONNECTION_LOST` (reconnect off and the link dropped); `CANCELLED`
   */
  request<M extends MethodOf<C>>(
    method: M,
    input: InputOf<C, M>,
    options?: ClientCallOptions,
  ): Promise<OutputOf<C, M>> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    if (this.streams.has(method)) return this.streams.call(method, input, options) as never;
    if (options?.parent !== undefined) {
      const inherited = inheritParent(options.parent, options, this.timeoutMs);
      if (inherited instanceof Error) return Promise.reject(inherited);
      options = inherited;
    }
    const peer = this.picker.pick();
    // Fast path: connected and nothing to retry into; no extra async frame per call.
    if (peer !== undefined && !this.sub.reconnects) return peer.request(method, input, options);
    const sent =
      peer !== undefined
        ? this.retry.sendNow(peer, method, input, options)
        : this.retry.waitAndSend(method, input, options);
    return sent as Promise<OutputOf<C, M>>;
  }

  /** Sends a one-way signal over the current connection. @throws `NOT_CONNECTED` while disconnected */
  signal<N extends SignalNameOf<C>>(
    name: N,
    payload: SignalInputOf<C, N>,
    options?: SignalOptions,
  ): Promise<void> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const peer = this.picker.pick();
    if (peer !== undefined) return peer.signal(name, payload, options);
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
    if (this.current === "closed" || this.destroyed) return;
    this.destroyed = true;
    this.sub.destroy(error);
    this.closing ??= this.shutdown();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- what the sub-connection reports ----------------------------------------------------------

  private onReady(peer: Peer<S, C>, attempt: number): void {
    this.picker.add(peer);
    if (this.current === "reconnecting") this.setState("reconnecting", "ready");
    this.waiters.wake();
    if (attempt > 0) this.emit("reconnect", attempt);
  }

  private onDisconnect(peer: Peer<S, C>, info: CloseInfo, willReconnect: boolean): void {
    this.picker.remove(peer);
    if (this.current !== "ready") return;
    this.emit("disconnect", info, willReconnect);
    if (willReconnect) this.setState("ready", "reconnecting");
  }

  /** No connection will come any more: `closed` resolves now, later calls fail with why. */
  private onFailed(attempts: number, lastError: Error, reason: GaveUpReason | "lost"): void {
    if (this.current !== "ready" && this.current !== "reconnecting") return;
    const { error, failure } = failureErrors(attempts, lastError, reason);
    this.failure = failure;
    this.setState(this.current, "failed");
    if (reason === "refused") this.emit("refused", error);
    this.waiters.wake();
    const info = this.sub.lastCloseInfo;
    if (reason === "lost" && info !== undefined) this.resolveClosed(info);
    else this.resolveClosed({ ...(info ?? localClose("graceful")), error });
  }

  // ---- calls ------------------------------------------------------------------------------------

  /** Why a call or signal is refused at once, or undefined: checked before anything else. */
  private refusal(): Error | undefined {
    if (this.current === "closing" || this.current === "closed") return new ClientClosedError();
    return this.current === "failed" ? this.failure : undefined;
  }

  /** `NOT_CONNECTED` when calls must not wait for a connection (`waitForConnection` false). */
  private notConnected(): NotConnectedError | undefined {
    if (this.options.waitForConnection !== false) return undefined;
    return new NotConnectedError(
      "client is reconnecting and waitForConnection is false; the call was not sent " +
        "(a stream call's inputs were not read)",
    );
  }

  /** A peer for a call once one is up (other than `exclude`), within the deadline and signal. */
  private waitForPeer(
    deadline: number,
    signal: AbortSignal | undefined,
    exclude?: Peer<S, C>,
  ): Promise<Peer<S, C>> {
    const notConnected = this.refusal() === undefined ? this.notConnected() : undefined;
    if (notConnected !== undefined) return Promise.reject(notConnected);
    return this.waiters.wait(
      deadline,
      signal,
      () => this.picker.pick(exclude),
      () => this.refusal(),
    );
  }

  // ---- the end ----------------------------------------------------------------------------------

  private async shutdown(): Promise<void> {
    const failed = this.current === "failed";
    this.setState(this.current, "closing");
    this.waiters.wake();
    const info = await this.sub.close(this.destroyed);
    this.setState("closing", "closed");
    // A client that failed on its own has already resolved `closed` with why.
    if (failed) return;
    const calls = this.sub.lastCloseInfo?.calls;
    this.resolveClosed(info ?? localClose(this.destroyed ? "abort" : "graceful", calls));
  }

  /** The one place the state changes; refuses a transition the table does not allow. */
  private setState(from: ClientState, to: ClientState): void {
    if (this.current !== from || !TRANSITIONS[from].includes(to)) {
      throw new Error(`client: illegal transition ${this.current} -> ${to}`);
    }
    this.current = to;
  }
}
