import { EventEmitter } from "node:events";
import type { AnyContract } from "@parley/codec";
import { type Connection, InvalidOptionError } from "@parley/framing";
import {
  type CloseInfo,
  createPeer,
  type HandlersOf,
  OverloadedError,
  type Peer,
  type PeerOptions,
  refuseConnection,
  type SignalHandlersOf,
  UnavailableError,
} from "@parley/peer";
import { checkPeerOptions } from "@parley/peer/internal";
import { type EndpointOptions, type ListeningEndpoint, resolveEndpoint } from "./endpoint.js";
import { explainHandshakeFailure } from "./foreign-protocol.js";

/** Default cap on live connections per server. */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** Options of {@link serve}: the address, the contract served, its handlers, and every peer option. */
export interface ServeOptions<S extends AnyContract, C extends AnyContract | undefined = undefined>
  extends Omit<PeerOptions<S, C>, "serves" | "side" | "handlers" | "signalHandlers">,
    EndpointOptions {
  /** Where to listen: `tcp://host:port` (port 0 picks one), `unix:///path.sock`, `tls://host:port`. */
  url: string;
  /** The contract this server implements. */
  contract: S;
  /** One handler per request of the contract. */
  handlers: HandlersOf<S, C>;
  /** Handlers for the contract's signals. */
  signalHandlers?: SignalHandlersOf<S, C>;
  /**
   * Live connections allowed at once; the next one gets an explicit `OVERLOADED` refusal frame
   * before it is closed, never a silent drop.
   * @default 1024
   */
  maxConnections?: number;
}

/** One live connection of a server. */
export interface ServerConnection<S extends AnyContract, C extends AnyContract | undefined> {
  /** Sequence number, unique per server. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly connectedAt: Date;
  /** The peer: call back into the client with `peer.call` when the server declares `calls`. */
  readonly peer: Peer<S, C>;
}

/** Events a {@link Server} emits. */
export interface ServerEvents<S extends AnyContract, C extends AnyContract | undefined> {
  /** A client finished its Hello. */
  connect: [connection: ServerConnection<S, C>];
  /** A connection ended, with how and why. */
  disconnect: [connection: ServerConnection<S, C>, info: CloseInfo];
  /** A connection failed its handshake (bad auth, contract mismatch, timeout) or was refused. */
  refuse: [remoteAddress: string, error: Error];
}

/** A listening Parley server. */
export class Server<
  S extends AnyContract,
  C extends AnyContract | undefined = undefined,
> extends EventEmitter<ServerEvents<S, C>> {
  private readonly live = new Set<ServerConnection<S, C>>();
  private readonly handshaking = new Set<Peer<S, C>>();
  private listener: ListeningEndpoint | undefined;
  private nextId = 1;
  private closing: Promise<void> | undefined;
  private destroyed = false;
  private readonly maxConnections: number;
  private readonly peerOptions: PeerOptions<S, C>;
  private resolveClosed!: () => void;
  /** Resolves once the server is fully closed (listener and every connection); never rejects. */
  readonly closed: Promise<void> = new Promise((resolve) => {
    this.resolveClosed = resolve;
  });

  /** @internal use {@link serve}. */
  constructor(private readonly options: ServeOptions<S, C>) {
    super();
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (!Number.isInteger(this.maxConnections) || this.maxConnections < 1) {
      throw new InvalidOptionError(
        `maxConnections must be a positive integer (got ${options.maxConnections})`,
      );
    }
    const { contract, handlers, signalHandlers } = options;
    this.peerOptions = {
      ...options,
      serves: contract,
      handlers,
      signalHandlers,
      side: "server",
    } as PeerOptions<S, C>;
    // Every connection gets these options: check them now, once, so that a bad one fails serve()
    // instead of the first connection.
    checkPeerOptions(this.peerOptions);
  }

  /** The address actually bound: with port 0, the real port. */
  get url(): string {
    return this.listener?.url ?? this.options.url;
  }

  /** A snapshot of the live connections (handshake done, not yet closed). */
  get connections(): readonly ServerConnection<S, C>[] {
    return [...this.live];
  }

  /** @internal */
  async listen(): Promise<this> {
    const endpoint = resolveEndpoint(this.options.url, this.options);
    this.listener = await endpoint.listen((connection) => this.accept(connection));
    return this;
  }

  /**
   * Graceful shutdown: refuse new connections, run Bye on every live one (each bounded by
   * `closeTimeoutMs`), then close the listener. Idempotent: a second call returns the same promise.
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
    if (this.destroyed) await this.listener?.destroy();
    else await this.listener?.close();
    this.resolveClosed();
  }

  private refuse(connection: Connection, error: OverloadedError | UnavailableError): void {
    void refuseConnection(connection, { code: error.code, message: error.message });
    this.emit("refuse", connection.remoteAddress, error);
  }

  private accept(connection: Connection): void {
    if (this.closing !== undefined) {
      this.refuse(connection, new UnavailableError("server is shutting down; retry elsewhere"));
      return;
    }
    if (this.live.size + this.handshaking.size >= this.maxConnections) {
      const message = `server has reached maxConnections (${this.maxConnections}); retry later or raise maxConnections`;
      this.refuse(connection, new OverloadedError(message));
      return;
    }
    const peer = createPeer(connection, this.peerOptions);
    this.handshaking.add(peer);
    peer.ready.then(
      () => this.onReady(peer, connection.remoteAddress),
      (error: Error) => {
        this.handshaking.delete(peer);
        const address = connection.remoteAddress;
        this.emit("refuse", address, explainHandshakeFailure(error, address) as Error);
      },
    );
    // A peer that closes is never left counted, whatever became of its handshake.
    void peer.closed.then(() => this.handshaking.delete(peer));
  }

  private onReady(peer: Peer<S, C>, remoteAddress: string): void {
    this.handshaking.delete(peer);
    const entry: ServerConnection<S, C> = {
      id: this.nextId++,
      remoteAddress,
      connectedAt: new Date(),
      peer,
    };
    this.live.add(entry);
    void peer.closed.then((info) => {
      this.live.delete(entry);
      this.emit("disconnect", entry, info);
    });
    this.emit("connect", entry);
  }
}

/**
 * Starts a Parley server on `url` and resolves once it is listening.
 * @throws transport errors such as `ADDRESS_IN_USE`; `INVALID_OPTION`
 * @example
 * const server = await serve({ url: "tcp://127.0.0.1:7000", contract: calculator,
 *   handlers: { add: ({ a, b }) => a + b } });
 */
export async function serve<S extends AnyContract, C extends AnyContract | undefined = undefined>(
  options: ServeOptions<S, C>,
): Promise<Server<S, C>> {
  return new Server<S, C>(options).listen();
}
