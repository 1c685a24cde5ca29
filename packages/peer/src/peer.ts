/**
 * Where a peer starts: {@link createPeer} builds a {@link PeerEngine} on a connection;
 * {@link checkPeerOptions} checks a peer's options without one.
 */
import type { Connection } from "@parley/framing";
import { encodeHello } from "./hello-frames.js";
import { PeerEngine } from "./peer-engine.js";
import { checkPeerOptionNames } from "./peer-option-names.js";
import { type PeerOptions, resolvePeerOptions } from "./peer-options.js";
import type { ContractLike, Peer } from "./peer-types.js";

/**
 * Starts a peer on `connection`: attaches to it and writes Hello at once. Calls made before the
 * handshake completes wait for it (within their deadline).
 *
 * @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule.
 * @example
 * const peer = createPeer(connection, { calls: calculator });
 * await peer.ready;
 * const { sum } = await peer.call.add({ a: 1, b: 2 });
 * await peer.close();
 */
export function createPeer<
  S extends ContractLike | undefined = undefined,
  C extends ContractLike | undefined = undefined,
>(connection: Connection, options: PeerOptions<S, C> = {}): Peer<S, C> {
  checkPeerOptionNames(options);
  return new PeerEngine<S, C>(connection, options);
}

/**
 * Checks `options` as {@link createPeer} does, without a connection: a server checks once, when
 * it starts, the options every connection it accepts will get.
 * @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule.
 */
export function checkPeerOptions(
  options: PeerOptions<ContractLike | undefined, ContractLike | undefined>,
): void {
  checkPeerOptionNames(options);
  const o = resolvePeerOptions(options);
  encodeHello(o, o.wireFormat(o.codec, { maxFrameBytes: o.maxFrameBytes }));
}
