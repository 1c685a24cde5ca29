import { EventEmitter } from "node:events";
import type { AnyContract } from "@parley/codec";
import type { Connection } from "@parley/framing";
import {
  type CloseInfo,
  createPeer,
  OverloadedError,
  type Peer,
  type PeerOptions,
  UnavailableError,
} from "@parley/peer";
import { Admission, resolveAdmissionLimits } from "./admission.js";
import { connectionPeerOptions } from "./connection-options.js";
import { type ListeningEndpoint, resolveEndpoint } from "./endpoint.js";
import { ErrorReporter } from "./error-reporting.js";
import { explainHandshakeFailure } from "./foreign-protocol.js";
import { checkOwnOptionValues, checkServeOptionNames } from "./option-check.js";
import { RpcConnection } from "./rpc-connection.js";
import {
  type ResolvedServeOptions,
  resolveServeOptions,
  type ServeOptions,
} from "./server-options.js";

/** One live connection of a server (the same object handlers see as `ctx.connection`). */
export type ServerConnection<
  S extends AnyContract,
  C extends AnyContract | undefined = undefined,
  Identity = unknown,
> = RpcConnection<S, C, Identity>;

/** Events a {@link Server} emits. */
export interface ServerEvents<
  S extends AnyContract,
  C extends AnyContract | undefined,
  Identity = unknown,
> {
  /** A client finished its Hello. */
  connect: [connection: ServerConnection<S, C, Identity>];
  /** A connection ended, with how and why. */
  disconnect: [connection: ServerConnection<S, C, Identity>, info: CloseInfo];
  /** A connection failed its handshake (bad auth, contract mismatch, timeout) or was refused. */
  refuse: [remoteAddress: string, error: Error];
}

/** A listening Parley server: one or more listeners feeding one set of connections. */
export class Server<
  S extends AnyContract,
  C extends AnyContract | undefined = undefined,
  Ctx = undefined,
  Identity = unknown,
> extends EventEmitter<ServerEvents<S, C, Identity>> {
  private readonly live = new Set<RpcConnection<S, C, Identity>>();
  /** Accepted (Hello answered) but not yet ready: each holds its place under maxConnections. */
  private readonly accepting = new Set<RpcConnection<S, C, Identity>>();
  private readonly handshaking = new Set<Peer<S, C>>();
  private readonly bound: ListeningEndpoint[] = [];
  /** Listens under way: a shutdown waits for each, then closes what it bound. */
  private readonly binding = new Set<Promise<void>>();
  private nextId = 1;
  private closing: Promise<void> | undefined;
  private destroyed = false;
  private readonly resolved: ResolvedServeOptions;
  private readonly reporter: ErrorReporter;
  private readonly admission: Admission;
  private resolveClosed!: () => void;
  /**
   * Resolves once the server is fully closed (every listener, one still binding included, and every
   * connection): its addresses are free again. Never rejects.
   */
  readonly closed: Promise<void> = new Promise((resolve) => {
    this.resolveClosed = resolve;
  });

  /** @internal use {@link serve}. */
  constructor(private readonly options: ServeOptions<S, C, Ctx, Identity>) {
    super();
    checkServeOptionNames(options);
    checkOwnOptionValues(options);
    this.resolved = resolveServeOptions(options as never);
    const { onError, logger = console, exposeInternalErrors = false } = options;
    this.reporter = new ErrorReporter(onError, logger, exposeInternalErrors);
    this.admission = new Admission(resolveAdmissionLimits(options), {
      dropped: (remoteAddress, error) => this.emit("refuse", remoteAddress, error),
    });
  }

  /** The first address actually bound: with port 0, the real port. */
  get url(): string {
    return this.bound[0]?.url ?? this.resolved.urls[0]!;
  }

  /** Every address bound, in the order they were listened on. */
  get urls(): readonly string[] {
    return this.bound.map((l) => l.url);
  }

  /** A snapshot of the live connections (handshake done, not yet closed). */
  get connections(): readonly ServerConnection<S, C, Identity>[] {
    return [...this.live];
  }

  /**
   * Listens on one more address, into the same connection set; `close()` closes it with the rest.
   * `serve()` calls it for each of its URLs. A listen that `close()` overtakes is closed with the
   * server (its address is free again before `closed` resolves) and rejects `UNAVAILABLE`.
   * @throws transport errors such as `ADDRESS_IN_USE`; `UNAVAILABLE` once the server is closing
   */
  async listen(url: string): Promise<this> {
    if (this.closing !== undefined)
      throw new UnavailableError("the server is closing; it listens no more");
    const endpoint = resolveEndpoint(url, this.options);
    let bound = url;
    // Settles only once the listener is in `bound`, so a shutdown that awaits it closes it too.
    const binding = endpoint
      .listen((connection) => this.accept(connection, bound), this.admission)
      .then((listener) => {
        bound = listener.url;
        this.bound.push(listener);
      });
    this.binding.add(binding);
    try {
      await binding;
    } finally {
      this.binding.delete(binding);
    }
    if (this.closing !== undefined) {
      await this.closing;
      throw new UnavailableError(`the server closed while it began listening on ${bound}`);
    }
    return this;
  }

  /**
   * Graceful shutdown: refuse new connections, run Bye on every live one (each bounded by
   * `closeTimeoutMs`), then close every listener (after any listen under way has bound) and
   * resolve with `closed`. Idempotent: a second call returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Abrupt shutdown: stop listening and reset every connection at once, rejecting what is pending.
   * Escalates a close() in progress.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const peer of this.peers()) peer.destroy();
    this.closing ??= this.shutdown();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private peers(): Peer<S, C>[] {
    return [...this.handshaking, ...[...this.live].map((c) => c.peer)];
  }

  private async shutdown(): Promise<void> {
    await Promise.all(this.peers().map((peer) => (this.destroyed ? peer.closed : peer.close())));
    // A listener still binding is closed with the others: `closed` means every address is free.
    await Promise.allSettled(this.binding);
    await Promise.all(this.bound.map((l) => (this.destroyed ? l.destroy() : l.close())));
    this.resolveClosed();
  }

  private refuse(connection: Connection, error: OverloadedError | UnavailableError): void {
    this.admission.refuse(connection, error);
    this.emit("refuse", connection.remoteAddress, error);
  }

  private accept(connection: Connection, url: string): void {
    if (this.closing !== undefined) {
      this.refuse(connection, new UnavailableError("server is shutting down; retry elsewhere"));
      return;
    }
    // Connections still in their Hello do not count here: the admission bounds them.
    if (this.live.size >= this.resolved.maxConnections) {
      this.refuse(connection, this.overloaded());
      return;
    }
    const ticket = this.admission.enter(connection);
    const entry = new RpcConnection<S, C, Identity>(this.nextId++, connection, url);
    const peer = createPeer(
      connection,
      this.peerOptionsFor(entry, () => ticket.admitted()),
    );
    entry.attach(peer);
    ticket.bind(peer);
    this.handshaking.add(peer);
    peer.ready.then(
      () => {
        ticket.admitted();
        this.onReady(entry);
      },
      (error: Error) => {
        this.handshaking.delete(peer);
        this.accepting.delete(entry);
        ticket.left();
        // A connection the admission dropped was reported when it was dropped.
        if (ticket.dropped) return;
        const address = connection.remoteAddress;
        this.emit("refuse", address, explainHandshakeFailure(error, address) as Error);
      },
    );
    // A peer that closes is never left counted, whatever became of its handshake.
    void peer.closed.then(() => {
      this.handshaking.delete(peer);
      this.accepting.delete(entry);
      ticket.left();
    });
  }

  private overloaded(): OverloadedError {
    const { maxConnections } = this.resolved;
    return new OverloadedError(
      `server has reached maxConnections (${maxConnections}); retry later or raise maxConnections`,
    );
  }

  private peerOptionsFor(
    entry: RpcConnection<S, C, Identity>,
    authenticated: () => void,
  ): PeerOptions<S, C> {
    const { createContext, verifyAuth, logger } = this.options;
    return connectionPeerOptions(this.resolved.peerOptions, entry as unknown as RpcConnection, {
      createContext: createContext as ((connection: never) => unknown) | undefined,
      verifyAuth,
      admit: () => this.admit(entry, authenticated),
      reporter: this.reporter,
      logger,
    }) as unknown as PeerOptions<S, C>;
  }

  /**
   * The engine is about to accept this client's Hello (it proved itself and passed every check):
   * it takes a place under maxConnections now, or is refused OVERLOADED in a HelloAck refuse
   * (retryable) when others filled the server while it was in its handshake.
   */
  private admit(entry: RpcConnection<S, C, Identity>, authenticated: () => void) {
    if (this.live.size + this.accepting.size >= this.resolved.maxConnections) {
      return this.overloaded();
    }
    this.accepting.add(entry);
    authenticated(); // no longer a handshaking connection the admission may drop
    return undefined;
  }

  private onReady(entry: RpcConnection<S, C, Identity>): void {
    this.handshaking.delete(entry.peer);
    this.accepting.delete(entry);
    this.live.add(entry);
    void entry.peer.closed.then((info) => {
      this.live.delete(entry);
      this.emit("disconnect", entry, info);
    });
    this.emit("connect", entry);
  }
}

/**
 * Starts a Parley server on `url` (or on each of several URLs) and resolves once it listens.
 * @throws transport errors such as `ADDRESS_IN_USE`; `INVALID_OPTION`
 * @example
 * const server = await serve({ url: "tcp://127.0.0.1:7000", contract: calculator,
 *   handlers: { add: ({ a, b }) => a + b } });
 */
export async function serve<
  S extends AnyContract,
  C extends AnyContract | undefined = undefined,
  Ctx = undefined,
  Identity = unknown,
>(options: ServeOptions<S, C, Ctx, Identity>): Promise<Server<S, C, Ctx, Identity>> {
  const server = new Server<S, C, Ctx, Identity>(options);
  try {
    for (const url of typeof options.url === "string" ? [options.url] : options.url) {
      await server.listen(url);
    }
  } catch (error) {
    // One address failed: release the ones already bound.
    await server.close();
    throw error;
  }
  return server;
}
