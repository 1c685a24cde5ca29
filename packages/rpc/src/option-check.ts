/**
 * The names `serve()` and `connect()` accept, and the check that refuses any other: a misspelled
 * option (`checkDirectry`) would otherwise be dropped without a word and its protection silently
 * missing. The lists are typed against the options interfaces, so an option added to one of them
 * fails the typecheck until it is listed here.
 */
import type { AnyContract } from "@parley/codec";
import { InvalidOptionError } from "@parley/framing";
import { booleanOption, functionOption, rejectUnknownOptions } from "@parley/framing/internal";
import { BACKOFF_OPTION_NAMES } from "./backoff.js";
import type { ConnectOptions } from "./client-options.js";
import type { ServeOptions } from "./server-options.js";

/** Options of the engine that both functions pass on to every connection's peer. */
const PEER_NAMES = {
  codec: true,
  authSecrets: true,
  allowLegacyAuth: true,
  authChannelBinding: true,
  authToken: true,
  verifyAuth: true,
  metadata: true,
  handshakeTimeoutMs: true,
  requestTimeoutMs: true,
  closeTimeoutMs: true,
  maxConcurrentHandlers: true,
  maxQueuedRequests: true,
  maxPendingCalls: true,
  maxBufferedBytes: true,
  slowConsumerTimeoutMs: true,
  heartbeatIntervalMs: true,
  heartbeatTimeoutMs: true,
  maxFrameBytes: true,
  captureCallSites: true,
  contractCheck: true,
  wireFormat: true,
  flushScheduler: true,
  streamWindowItems: true,
  streamWindowBytes: true,
  maxConcurrentStreams: true,
  logger: true,
  onError: true,
  exposeInternalErrors: true,
} as const;

const SERVE_NAMES = {
  ...PEER_NAMES,
  url: true,
  contract: true,
  handlers: true,
  signalHandlers: true,
  calls: true,
  maxConnections: true,
  createContext: true,
  requireCallbacks: true,
  maxHandshakingConnections: true,
  maxPreHelloBytes: true,
  maxHandshakingBytes: true,
  tls: true,
  socketMode: true,
  checkDirectory: true,
  highWaterMarkBytes: true,
} as const satisfies Record<keyof ServeOptions<AnyContract>, true>;

const CONNECT_NAMES = {
  ...PEER_NAMES,
  url: true,
  contract: true,
  serves: true,
  handlers: true,
  signalHandlers: true,
  reconnect: true,
  waitForConnection: true,
  waitForReady: true,
  tls: true,
  connectTimeoutMs: true,
  highWaterMarkBytes: true,
} as const satisfies Record<keyof ConnectOptions<AnyContract>, true>;

/** Every option name `serve()` accepts. */
export const SERVE_OPTION_NAMES: readonly string[] = Object.keys(SERVE_NAMES);
/** Every option name `connect()` accepts. */
export const CONNECT_OPTION_NAMES: readonly string[] = Object.keys(CONNECT_NAMES);

/**
 * Throws unless every option given to `serve()` is one it uses.
 * @throws {InvalidOptionError} `INVALID_OPTION` naming the unknown option and the nearest known one.
 */
export function checkServeOptionNames(options: object): void {
  checkNames("serve", options, SERVE_OPTION_NAMES, ["connect", CONNECT_OPTION_NAMES]);
}

/**
 * Throws unless every option given to `connect()` is one it uses.
 * @throws {InvalidOptionError} `INVALID_OPTION` naming the unknown option and the nearest known one.
 */
export function checkConnectOptionNames(options: object): void {
  checkNames("connect", options, CONNECT_OPTION_NAMES, ["serve", SERVE_OPTION_NAMES]);
}

function checkNames(
  what: string,
  options: object,
  known: readonly string[],
  [otherName, other]: [string, readonly string[]],
): void {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError(`${what}() takes an options object`);
  }
  rejectUnknownOptions(`${what}()`, options, known, { what: `${otherName}()`, names: other });
}

/**
 * Throws unless the options `serve()` and `connect()` read themselves have the type they need: a
 * flag given as a string (`exposeInternalErrors: "false"` from an environment variable) must not
 * count as true, nor a misspelled field of `reconnect` go unnoticed.
 * @throws {InvalidOptionError} `INVALID_OPTION` naming the option.
 */
export function checkOwnOptionValues(options: {
  exposeInternalErrors?: unknown;
  onError?: unknown;
  createContext?: unknown;
  requireCallbacks?: unknown;
  reconnect?: unknown;
  waitForConnection?: unknown;
}): void {
  booleanOption("exposeInternalErrors", options.exposeInternalErrors, false);
  booleanOption("requireCallbacks", options.requireCallbacks, false);
  booleanOption("waitForConnection", options.waitForConnection, true);
  functionOption("onError", options.onError);
  functionOption("createContext", options.createContext);
  const { reconnect } = options;
  if (reconnect === undefined || typeof reconnect === "boolean") return;
  if (typeof reconnect !== "object" || reconnect === null) {
    throw new InvalidOptionError(
      `reconnect must be true, false or an object of backoff options (got ${String(reconnect)})`,
    );
  }
  rejectUnknownOptions("reconnect", reconnect, BACKOFF_OPTION_NAMES);
}
