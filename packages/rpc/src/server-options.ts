/** Options of `serve()`, their defaults, and their checks (all in one place). */
import type { AnyContract } from "@parley/codec";
import { InvalidOptionError } from "@parley/framing";
import type { PeerOptions, RemoteHello } from "@parley/peer";
import { checkPeerOptions, PEER_OPTION_NAMES } from "@parley/peer/internal";
import type { EndpointOptions } from "./endpoint.js";
import type { ErrorHook, Logger } from "./error-reporting.js";
import type { Handlers, SignalHandlers } from "./handler-types.js";
import type { RpcConnection } from "./rpc-connection.js";

/** Default cap on live connections per server. */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** Options of {@link serve}: the addresses, the contract served, its handlers, and every peer option. */
export interface ServeOptions<
  S extends AnyContract,
  C extends AnyContract | undefined = undefined,
  Ctx = undefined,
  Identity = unknown,
> extends Omit<
      PeerOptions<S, C>,
      | "serves"
      | "side"
      | "handlers"
      | "signalHandlers"
      | "verifyAuth"
      | "logger"
      | "callsOptional"
      | "admit"
      | "handlerError"
    >,
    Omit<EndpointOptions, "connectTimeoutMs"> {
  /**
   * Where to listen: `tcp://host:port` (port 0 picks one), `unix:///path.sock`, `tls://host:port`,
   * or several of them: one server, one connection set, one `close()`.
   */
  url: string | readonly string[];
  /** The contract this server implements. */
  contract: S;
  /**
   * A custom check of each client, run after its proof of `authSecrets` (`hello.authKeyId` names
   * the secret it proved) and the contract checks; it gets the client's Hello token only under
   * `allowLegacyAuth`. Return `true` to admit, an identity object to admit as that identity
   * (handlers read it as `ctx.connection.identity`), anything else to refuse with
   * UNAUTHENTICATED. May be async. @default admit everyone who passed the other checks
   */
  verifyAuth?: (
    token: string | undefined,
    hello: RemoteHello,
  ) => boolean | Identity | Promise<boolean | Identity>;
  /**
   * Runs once per connection, after its Hello and before its first handler; the result (or what
   * its promise resolves to) is every handler's `ctx.context` on that connection, like tRPC's
   * context. A throw fails the handler as `INTERNAL`. @default none (`ctx.context` is undefined)
   */
  createContext?: (connection: RpcConnection<S, C, Identity>) => Ctx | Promise<Ctx>;
  /** One handler per request of the contract. */
  handlers: Handlers<S, C, Ctx, Identity>;
  /** Handlers for the contract's signals. */
  signalHandlers?: SignalHandlers<S, C, Ctx, Identity>;
  /**
   * Live (authenticated) connections allowed at once; one arriving when the server is full gets an
   * explicit `OVERLOADED` refusal frame before it is closed. One whose Hello is accepted after
   * others filled the server meanwhile is refused the same way (HelloAck refuse `OVERLOADED`,
   * retryable). Connections still in their Hello do not count here: they have
   * `maxHandshakingConnections`.
   * @default 1024
   */
  maxConnections?: number;
  /**
   * Connections in their Hello at once, apart from `maxConnections`; when full, the oldest one
   * still in its Hello is dropped (`OVERLOADED`), never an authenticated one.
   * @default 512
   */
  maxHandshakingConnections?: number;
  /**
   * Bytes a connection may send before its Hello is accepted; a frame that would pass it is refused
   * as soon as its length prefix is read, before its payload is buffered.
   * @default 73728 (72 KiB: the largest Hello and the handshake's small frames)
   */
  maxPreHelloBytes?: number;
  /**
   * Bytes all connections still in their Hello may have sent together; past it the oldest are
   * dropped until it fits.
   * @default 8388608 (8 MiB)
   */
  maxHandshakingBytes?: number;
  /**
   * With a callback contract (`calls`), refuse clients that do not serve it. Off: such clients are
   * accepted, and calling back into them fails locally with `UNIMPLEMENTED`.
   * @default false
   */
  requireCallbacks?: boolean;
  /**
   * Receives every error a caller cannot be given whole: an uncoded error a handler threw (the
   * caller got `INTERNAL` with `info.ref`), a dropped signal, a failing signal handler.
   * @default report to `logger`
   */
  onError?: ErrorHook;
  /** Where errors go without `onError`, and engine warnings: `console` or a pino logger. @default console */
  logger?: Logger;
  /**
   * Send the messages of uncoded handler errors to callers (development only: they may carry
   * secrets). Off: callers get "internal error in <method> (ref ...)".
   * @default false
   */
  exposeInternalErrors?: boolean;
}

/** {@link ServeOptions} checked, with defaults filled in. */
export interface ResolvedServeOptions {
  readonly urls: readonly string[];
  readonly maxConnections: number;
  /** What every connection's engine gets, before the per-connection hooks. */
  readonly peerOptions: PeerOptions<AnyContract, AnyContract>;
}

/**
 * Checks `options` once, when the server starts, so that a bad one fails serve() instead of the
 * first connection.
 * @throws {InvalidOptionError} INVALID_OPTION naming the option and its rule.
 */
export function resolveServeOptions(
  options: ServeOptions<AnyContract, AnyContract | undefined, unknown, unknown>,
): ResolvedServeOptions {
  const urls = typeof options.url === "string" ? [options.url] : [...(options.url ?? [])];
  if (urls.length === 0 || urls.some((u) => typeof u !== "string")) {
    throw new InvalidOptionError("url must be a URL string or a non-empty array of them");
  }
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new InvalidOptionError(
      `maxConnections must be a positive integer (got ${options.maxConnections})`,
    );
  }
  const { contract, handlers, signalHandlers, requireCallbacks } = options;
  const peerOptions = {
    ...pickPeerOptions(options),
    serves: contract,
    handlers,
    signalHandlers,
    side: "server",
    callsOptional: requireCallbacks !== true,
  } as unknown as PeerOptions<AnyContract, AnyContract>;
  checkPeerOptions(peerOptions);
  checkLogger(options.logger);
  return Object.freeze({ urls, maxConnections, peerOptions });
}

/** @throws {InvalidOptionError} unless `logger` has `error` and `warn` methods (console, pino). */
export function checkLogger(logger: unknown): void {
  if (logger === undefined) return;
  const l = logger as Partial<Logger> | null;
  if (
    typeof l !== "object" ||
    l === null ||
    typeof l.error !== "function" ||
    typeof l.warn !== "function"
  ) {
    throw new InvalidOptionError(
      "logger must have error(details, message) and warn(details, message), as console and pino do",
    );
  }
}

/**
 * The engine's options out of `serve()`'s or `connect()`'s: the engine refuses names it does not
 * know, and the rest (url, tls, maxConnections, ...) are this package's own.
 */
export function pickPeerOptions(options: object): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (PEER_OPTION_NAMES.includes(name)) picked[name] = value;
  }
  return picked;
}
