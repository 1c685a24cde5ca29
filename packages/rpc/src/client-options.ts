import type { AnyContract } from "@parley/codec";
import type { CallOptions, CloseInfo, PeerOptions } from "@parley/peer";
import type { BackoffOptions } from "./backoff.js";
import type { EndpointOptions } from "./endpoint.js";
import type { ErrorHook, Logger } from "./error-reporting.js";
import type { Handlers, SignalHandlers } from "./handler-types.js";

/** Options of {@link connect}: the address, the contract to call, and every peer option. */
export interface ConnectOptions<
  C extends AnyContract,
  S extends AnyContract | undefined = undefined,
> extends Omit<
      PeerOptions<S, C>,
      | "calls"
      | "side"
      | "logger"
      | "callsOptional"
      | "handlers"
      | "signalHandlers"
      | "admit"
      | "handlerError"
    >,
    Omit<EndpointOptions, "socketMode" | "checkDirectory"> {
  /** Handlers of the callback contract this client `serves`; `ctx.connection` is its link. */
  handlers?: S extends AnyContract ? Handlers<S, C> : never;
  /** Signal handlers of the callback contract this client `serves`. */
  signalHandlers?: S extends AnyContract ? SignalHandlers<S, C> : never;
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
  /**
   * Wait for a server that is not up yet: the first connection is retried on the reconnect backoff
   * (`reconnect`'s settings, or its defaults) for up to `timeoutMs` (`true`: 30000), and connect()
   * then fails with the last attempt's error. A refusal no retry can fix (contract, auth, protocol
   * version, codec) fails at once. Like gRPC's `waitForReady`. Off by default: one attempt.
   * @default false
   */
  waitForReady?: boolean | { timeoutMs: number };
  /**
   * Receives every error a caller cannot be given whole, for a client that serves callbacks: an
   * uncoded error its handler threw (the server got `INTERNAL` with `info.ref`), a dropped signal.
   * @default report to `logger`
   */
  onError?: ErrorHook;
  /** Where errors go without `onError`, and engine warnings: `console` or a pino logger. @default console */
  logger?: Logger;
  /** Send the messages of uncoded handler errors to the remote (development only). @default false */
  exposeInternalErrors?: boolean;
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
  /** Reconnect attempt `attempt` failed; the next one starts after `delayMs`. */
  reconnecting: [attempt: number, delayMs: number, error: Error];
  /** A new connection is up and its Hello is done. */
  reconnect: [attempt: number];
  /**
   * The server refused a reconnect in a way retrying cannot fix (`RECONNECT_REFUSED`, its cause the
   * refusal): the client has stopped, its state is `failed`, and every call fails with this error.
   */
  refused: [error: Error];
}
