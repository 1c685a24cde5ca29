/** Two peers over a memory pair, destroyed when the test ends. */
import { createMemoryPair, type MemoryConnection, type MemoryPairOptions } from "@parley/testkit";
import { onTestFinished } from "vitest";
import { createPeer, type Peer, type PeerOptions } from "../../src/index.js";
import type { ContractLike } from "../../src/peer-types.js";

export interface PeerPair<
  SS extends ContractLike | undefined,
  SC extends ContractLike | undefined,
  CS extends ContractLike | undefined,
  CC extends ContractLike | undefined,
> {
  client: Peer<CS, CC>;
  server: Peer<SS, SC>;
  clientConnection: MemoryConnection;
  serverConnection: MemoryConnection;
}

/** A connected client/server pair; both are destroyed after the test. */
export function peerPair<
  SS extends ContractLike | undefined = undefined,
  SC extends ContractLike | undefined = undefined,
  CS extends ContractLike | undefined = undefined,
  CC extends ContractLike | undefined = undefined,
>(
  server: PeerOptions<SS, SC>,
  client: PeerOptions<CS, CC>,
  pairOptions?: MemoryPairOptions,
): PeerPair<SS, SC, CS, CC> {
  const [clientConnection, serverConnection] = createMemoryPair(pairOptions);
  const pair = {
    server: createPeer(serverConnection, { side: "server", ...server }),
    client: createPeer(clientConnection, { side: "client", ...client }),
    clientConnection,
    serverConnection,
  };
  onTestFinished(() => {
    pair.client.destroy();
    pair.server.destroy();
  });
  return pair;
}

/** A peer on one end of a memory pair; the other end is returned for a RawEnd. */
export function peerWithRawRemote<
  S extends ContractLike | undefined,
  C extends ContractLike | undefined,
>(
  options: PeerOptions<S, C>,
  pairOptions?: MemoryPairOptions,
): { peer: Peer<S, C>; connection: MemoryConnection; remote: MemoryConnection } {
  const [connection, remote] = createMemoryPair(pairOptions);
  const peer = createPeer(connection, options);
  onTestFinished(() => {
    peer.destroy();
    remote.reset();
  });
  return { peer, connection, remote };
}
