/**
 * The names `serve()` and `connect()` accept, and the check that refuses any other: a misspelled
 * option (`checkDirectry`) would otherwise be dropped without a word and its protection silently
 * missing. The lists are typed against the options interfaces, so an option added to one of them
 * fails the typecheck until it is listed here.
 */
import type { AnyContract } from "@parley/codec";
import { InvalidOptionError } from "@parley/framing";
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
  for (const [name, value] of Object.entries(options)) {
    // A key set to undefined changes nothing (spread configs produce them): only values count.
    if (value === undefined || known.includes(name)) continue;
    if (other.includes(name)) {
      throw new InvalidOptionError(
        `${name} is an option of ${otherName}(), not of ${what}(); remove it here`,
      );
    }
    const nearest = nearestName(name, known);
    const hint = nearest === undefined ? "" : `; did you mean ${nearest}?`;
    throw new InvalidOptionError(`${what}() has no option ${JSON.stringify(name)}${hint}`);
  }
}

/** The known name closest to `name`, if it is close enough to be a likely typo. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the name (at least 2) may differ: "authTokn" finds authToken, "port" finds nothing.
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment):
 * "maxFrmaeBytes" is 1 away from maxFrameBytes, where plain Levenshtein says 2.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1]!;
}
