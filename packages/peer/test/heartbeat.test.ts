import { describe, expect, it } from "vitest";
import { Kind } from "../src/wire-constants.js";
import { codeOf, rejection, until } from "./support/async.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";

describe("heartbeat", () => {
  it("pings an idle remote, which answers Pong, and stays open", async () => {
    const { client, server } = peerPair({}, { heartbeatIntervalMs: 5, heartbeatTimeoutMs: 1_000 });
    await client.ready;
    await until(() => client.stats.pingsSent >= 3);
    expect(client.state).toBe("open");
    expect(server.state).toBe("open");
  });

  it("declares a silent remote dead with PEER_UNRESPONSIVE and rejects its pending calls", async () => {
    const { client, clientConnection } = peerPair(
      { handlers: { never: () => new Promise(() => {}) } },
      { heartbeatIntervalMs: 5, heartbeatTimeoutMs: 20 },
    );
    await client.ready;
    const call = rejection(client.request("never", null));
    await until(() => client.stats.requestsSent === 1);
    clientConnection.stopDelivery(); // a blackholed link: no error, no FIN, nothing
    const info = await client.closed;
    expect(info).toMatchObject({ initiator: "local", reason: "error" });
    expect(codeOf(info.error)).toBe("PEER_UNRESPONSIVE");
    const error = await call;
    expect(error.code).toBe("CONNECTION_LOST");
    expect(codeOf(error.cause)).toBe("PEER_UNRESPONSIVE");
  });

  it("answers a Ping with a Pong carrying the same nonce", async () => {
    const { peer, remote } = peerWithRawRemote({ heartbeatIntervalMs: 0 });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    raw.send({ kind: Kind.Ping, id: 0xdead_beef });
    expect(await raw.next(Kind.Pong)).toEqual({ kind: Kind.Pong, id: 0xdead_beef });
  });

  it("sends no Ping at all when heartbeatIntervalMs is 0", async () => {
    const { peer, remote } = peerWithRawRemote({ heartbeatIntervalMs: 0 });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    await new Promise((r) => setTimeout(r, 30));
    expect(raw.all(Kind.Ping)).toHaveLength(0);
    expect(peer.stats.pingsSent).toBe(0);
  });
});
