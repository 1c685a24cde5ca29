import type { AnyContract } from "@parley/codec";
import { type Connection, InvalidOptionError } from "@parley/framing";
import { createPeer, type Peer, type PeerOptions } from "@parley/peer";
import { Backoff, resolveBackoff } from "./backoff.js";
import { Client } from "./client.js";
import type { ConnectOptions } from "./client-options.js";
import { resolveEndpoint } from "./endpoint.js";
import { explainHandshakeFailure } from "./foreign-protocol.js";

/** Opens a connection and builds a peer on it; the connection is reset if the peer cannot be built. */
async function dialPeer<C extends AnyContract, S extends AnyContract | undefined>(
  open: () => Promise<Connection>,
  options: PeerOptions<S, C>,
): Promise<Peer<S, C>> {
  const connection = await open();
  try {
    return createPeer(connection, options);
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
  const reconnect = options.reconnect;
  const backoff = resolveBackoff(typeof reconnect === "object" ? reconnect : {});
  const endpoint = resolveEndpoint(options.url, options);
  const peerOptions = { ...options, calls: options.contract, side: "client" } as PeerOptions<S, C>;
  const dial = () => dialPeer(() => endpoint.connect(), peerOptions);
  const explain = (error: unknown) => explainHandshakeFailure(error, options.url);
  const retries = reconnect ? new Backoff(backoff) : undefined;
  const client = new Client<C, S>(options, dial, retries, explain);
  return client.open(waitForReadyMs(options.waitForReady), new Backoff(backoff));
}

/** Default wait of `waitForReady: true`. */
export const DEFAULT_WAIT_FOR_READY_MS = 30_000;

function waitForReadyMs(option: ConnectOptions<AnyContract>["waitForReady"]): number | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return DEFAULT_WAIT_FOR_READY_MS;
  const ms = (option as { timeoutMs?: unknown }).timeoutMs;
  if (typeof ms !== "number" || !(ms >= 0) || !Number.isFinite(ms)) {
    throw new InvalidOptionError(
      `waitForReady must be true, false or { timeoutMs: a finite number >= 0 } (got ${JSON.stringify(option)})`,
    );
  }
  return ms;
}
