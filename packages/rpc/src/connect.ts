import type { AnyContract } from "@parley/codec";
import { type Connection, InvalidOptionError } from "@parley/framing";
import { createPeer, type Peer, type PeerOptions } from "@parley/peer";
import { checkPeerOptions } from "@parley/peer/internal";
import { Backoff, resolveBackoff } from "./backoff.js";
import { Client } from "./client.js";
import type { ConnectOptions } from "./client-options.js";
import { connectionPeerOptions } from "./connection-options.js";
import { resolveEndpoint } from "./endpoint.js";
import { ErrorReporter } from "./error-reporting.js";
import { connectFailureExplainer } from "./foreign-protocol.js";
import { checkConnectOptionNames, checkOwnOptionValues } from "./option-check.js";
import { RpcConnection } from "./rpc-connection.js";
import { checkLogger, pickPeerOptions } from "./server-options.js";

/**
 * Opens a connection and builds a peer on it, with the engine options of that connection; the
 * connection is reset if the peer cannot be built.
 */
async function dialPeer<C extends AnyContract, S extends AnyContract | undefined>(
  open: () => Promise<Connection>,
  build: (connection: Connection) => Peer<S, C>,
): Promise<Peer<S, C>> {
  const connection = await open();
  try {
    return build(connection);
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
  // Every option is checked here, before anything is dialled.
  checkConnectOptionNames(options);
  checkOwnOptionValues(options);
  const reconnect = options.reconnect;
  const backoff = resolveBackoff(typeof reconnect === "object" ? reconnect : {});
  const waitMs = waitForReadyMs(options.waitForReady);
  checkLogger(options.logger);
  const endpoint = resolveEndpoint(options.url, options);
  const base = {
    ...pickPeerOptions(options),
    calls: options.contract,
    side: "client",
  } as PeerOptions<S, C>;
  checkPeerOptions(base);
  const { onError, logger, exposeInternalErrors = false } = options;
  // Errors go to console without a logger; the engine's other warnings only to a logger given.
  const reporter = new ErrorReporter(onError, logger ?? console, exposeInternalErrors);
  const hooks = { reporter, logger };
  let nextId = 1;
  const build = (connection: Connection) => {
    const entry = new RpcConnection<S, C>(nextId++, connection, options.url);
    const peerOptions = connectionPeerOptions(base, entry as unknown as RpcConnection, {
      ...hooks,
      verifyAuth: options.verifyAuth,
    });
    const peer = createPeer(connection, peerOptions);
    entry.attach(peer);
    return peer;
  };
  const dial = (signal?: AbortSignal) => dialPeer(() => endpoint.connect(signal), build);
  const explain = connectFailureExplainer(options.url);
  const retries = reconnect ? new Backoff(backoff) : undefined;
  const client = new Client<C, S>(options, dial, retries, explain);
  return client.open(waitMs, new Backoff(backoff));
}

/** Default wait of `waitForReady: true`. */
export const DEFAULT_WAIT_FOR_READY_MS = 30_000;

function waitForReadyMs(option: ConnectOptions<AnyContract>["waitForReady"]): number | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return DEFAULT_WAIT_FOR_READY_MS;
  const ms = (option as { timeoutMs?: unknown } | null)?.timeoutMs;
  const extra = typeof option === "object" && option !== null && Object.keys(option).length > 1;
  if (typeof ms !== "number" || !(ms >= 0) || !Number.isFinite(ms) || extra) {
    throw new InvalidOptionError(
      `waitForReady must be true, false or { timeoutMs: a finite number >= 0 } (got ${JSON.stringify(option)})`,
    );
  }
  return ms;
}
