import type { ListenOptions, Server } from "node:net";
import { AcceptError, type TransportError } from "./errors.js";
import { errnoOf, listenFailure } from "./node-errors.js";
import type { SocketConnection } from "./socket-connection.js";

/** What every listener offers, whatever its transport. */
export interface Listener {
  /** The address actually bound, as a URL (`tcp://127.0.0.1:53817` after asking for port 0). */
  readonly url: string;
  /** Connections accepted by this listener and not yet closed. */
  readonly connections: number;
  /**
   * Stops accepting at once (the port is released, a Unix socket file removed if still ours);
   * resolves once every connection it accepted has closed too. Idempotent: same promise.
   */
  close(): Promise<void>;
  /** `close()`, plus `reset()` of every connection still open; resolves like `close()`. */
  destroy(): Promise<void>;
  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Called for every connection a listener accepts; the callee owns it (attach, then close it). */
export type ConnectionListener = (connection: SocketConnection) => void;

/** Called with errors that concern the listener but no one call: a failed `accept()`. */
export type ListenerErrorHandler = (error: TransportError) => void;

/** Hooks a concrete listener gives {@link SocketListener}. @internal */
export interface ListenerHooks {
  /** Runs synchronously right after the server stops accepting (Unix: remove the socket file). */
  afterStop?(): void;
  onError?: ListenerErrorHandler | undefined;
}

type ListenerState = "listening" | "closing";

/**
 * The listener lifecycle shared by TCP, Unix and TLS:
 * 1. `listening`: accepted sockets become connections handed to `onConnection`, and are counted;
 * 2. `close()`: the server stops accepting at once, `afterStop` runs, state `closing`;
 * 3. the promise resolves when the last accepted connection has closed (the server's `close`).
 */
export class SocketListener implements Listener {
  readonly url: string;
  /** The `node:net` (or `node:tls`) server; exposed for inspection, not for control. */
  readonly server: Server;
  readonly #live = new Set<SocketConnection>();
  readonly #onConnection: ConnectionListener;
  readonly #hooks: ListenerHooks;
  #state: ListenerState = "listening";
  #closing: Promise<void> | undefined;

  /** @internal Use `listenTcp`, `listenUnix` or `listenTls`. */
  constructor(server: Server, url: string, onConnection: ConnectionListener, hooks: ListenerHooks) {
    this.server = server;
    this.url = url;
    this.#onConnection = onConnection;
    this.#hooks = hooks;
    server.on("error", (error: Error) => this.#onServerError(error));
  }

  /** Connections accepted by this listener and not yet closed. */
  get connections(): number {
    return this.#live.size;
  }

  /**
   * Hands an accepted connection to `onConnection` and counts it until it closes. If
   * `onConnection` throws, the connection is reset and the error propagates (uncaught, as from any
   * event listener): a bug there must not hide behind a silently dropped peer.
   * @internal
   */
  accept(connection: SocketConnection): void {
    if (this.#state !== "listening") {
      connection.reset();
      return;
    }
    this.#live.add(connection);
    connection.socket.once("close", () => this.#live.delete(connection));
    try {
      this.#onConnection(connection);
    } catch (error) {
      connection.reset();
      throw error;
    }
  }

  /**
   * Stops accepting at once; resolves when every accepted connection has closed. Idempotent.
   * To drain a server: call it, end or say goodbye on each connection, then await the promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  /** {@link close}, plus `reset()` of every connection still open. */
  destroy(): Promise<void> {
    const closing = this.close();
    for (const connection of this.#live) connection.reset();
    return closing;
  }

  /** {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #stop(): Promise<void> {
    this.#state = "closing";
    return new Promise<void>((resolve) => {
      // The listening handle closes now; the callback waits for accepted connections to close.
      this.server.close(() => resolve());
      this.#hooks.afterStop?.();
    });
  }

  #onServerError(error: Error): void {
    // After `listening`, the server's only errors are failed accepts (EMFILE, ENFILE, ...).
    const code = errnoOf(error) ?? error.message;
    this.#hooks.onError?.(
      new AcceptError(`accepting a connection on ${this.url} failed (${code})`, {
        cause: error,
        address: this.url,
      }),
    );
  }
}

/**
 * Starts `server` listening; resolves once it is, rejects with a coded error (`ADDRESS_IN_USE`,
 * `LISTEN_FAILED`) otherwise. @internal
 */
export function startListening(
  server: Server,
  options: ListenOptions,
  address: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off("listening", onListening);
      reject(listenFailure(error, address));
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(options);
  });
}
