/**
 * Every way a peer can end while its Hello handshake is incomplete. The invariant: once the peer is
 * closed, `ready` has rejected with a coded error, `closed` has resolved, and every call made
 * before the handshake has rejected exactly once, none left waiting.
 */
import { describe, expect, it } from "vitest";
import type { CloseInfo, Peer } from "../src/index.js";
import { Kind } from "../src/wire-constants.js";
import type { HelloAckMessage, Message } from "../src/wire-messages.js";
import { codeOf, rejection, until } from "./support/async.js";
import { peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd, rawHello } from "./support/raw-end.js";

const bye: Message = { kind: Kind.Bye, lastAcceptedId: 0 };
const byeAck: Message = { kind: Kind.ByeAck };

interface Ending {
  name: string;
  /** Ends the handshake; the peer has already made its early calls. */
  provoke(peer: Peer, raw: RawEnd): void | Promise<void>;
  ready: string;
  call: string;
  closed: Partial<CloseInfo> & { code?: string };
}

const endings: Ending[] = [
  {
    name: "the remote ends the connection (FIN) without Bye",
    provoke: (_, raw) => {
      raw.send(rawHello());
      raw.connection.end();
    },
    ready: "CONNECTION_LOST",
    call: "UNAVAILABLE",
    closed: { initiator: "remote", reason: "abort", code: "CONNECTION_LOST" },
  },
  {
    name: "the remote sends Bye and ByeAck before its HelloAck",
    provoke: (_, raw) => raw.send(rawHello(), bye, byeAck),
    ready: "PROTOCOL_ERROR",
    call: "UNAVAILABLE",
    closed: { initiator: "local", reason: "error", code: "PROTOCOL_ERROR" },
  },
  {
    name: "the remote sends Bye and ByeAck before its Hello",
    provoke: (_, raw) => raw.send(bye, byeAck),
    ready: "PROTOCOL_ERROR",
    call: "UNAVAILABLE",
    closed: { initiator: "local", reason: "error", code: "PROTOCOL_ERROR" },
  },
  {
    name: "close() is called locally",
    provoke: (peer) => void peer.close(),
    ready: "UNAVAILABLE",
    call: "UNAVAILABLE",
    closed: { initiator: "local", reason: "abort", code: "UNAVAILABLE" },
  },
  {
    // It waits for the remote's HelloAck to close with Bye; the handshake timeout bounds the wait.
    name: "close() is called locally after this side accepted a Hello whose HelloAck never comes",
    provoke: async (peer, raw) => {
      raw.send(rawHello());
      await raw.next(Kind.HelloAck);
      void peer.close();
    },
    ready: "HANDSHAKE_TIMEOUT",
    call: "HANDSHAKE_TIMEOUT",
    closed: { initiator: "local", reason: "timeout", code: "HANDSHAKE_TIMEOUT" },
  },
  {
    name: "destroy() is called locally",
    provoke: (peer) => peer.destroy(),
    ready: "UNAVAILABLE",
    call: "UNAVAILABLE",
    closed: { initiator: "local", reason: "abort" },
  },
  {
    name: "handshakeTimeoutMs runs out",
    provoke: () => {},
    ready: "HANDSHAKE_TIMEOUT",
    call: "HANDSHAKE_TIMEOUT",
    closed: { initiator: "local", reason: "timeout", code: "HANDSHAKE_TIMEOUT" },
  },
  {
    name: "the remote resets the connection",
    provoke: (_, raw) => {
      raw.send(rawHello());
      raw.connection.reset();
    },
    ready: "CONNECTION_LOST",
    call: "UNAVAILABLE",
    closed: { initiator: "remote", reason: "error", code: "CONNECTION_LOST" },
  },
];

describe("a peer that ends during the handshake", () => {
  it.each(endings)("settles ready, closed and early calls once when $name", async (ending) => {
    const { peer, remote } = peerWithRawRemote({ handshakeTimeoutMs: 50 });
    const raw = new RawEnd(remote);
    raw.endOnEnd = true;
    const settlements: string[] = [];
    const calls = [peer.request("a", null), peer.request("b", null), peer.signal("s", null)];
    for (const call of calls)
      call.then(
        () => settlements.push("ok"),
        () => settlements.push("no"),
      );
    const ready = rejection(peer.ready);

    await ending.provoke(peer as Peer, raw);
    const info = await peer.closed;

    expect(peer.state).toBe("closed");
    expect(codeOf(await ready)).toBe(ending.ready);
    const { code, ...closed } = ending.closed;
    expect(info).toMatchObject(closed);
    expect(codeOf(info.error)).toBe(code);
    for (const call of calls) expect(codeOf(await rejection(call))).toBe(ending.call);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settlements).toEqual(["no", "no", "no"]);
    expect(info.calls).toEqual({ completed: 0, rejected: 2, abandoned: 0 });
    expect(peer.stats.callsWaiting).toBe(0);
    expect(peer.stats.requestsSent).toBe(0);
  });

  it("answers a close() before it read the remote's Hello with HelloAck refuse UNAVAILABLE and a FIN, never Bye", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    void peer.close();
    const ack = (await raw.next(Kind.HelloAck)) as HelloAckMessage;
    expect(ack).toMatchObject({ accepted: false, code: "UNAVAILABLE" });
    await until(() => raw.ended);
    expect(raw.all(Kind.Bye)).toEqual([]);
  });

  it("closes with Bye once the remote's HelloAck comes, on a close() after it accepted the remote's Hello", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.send(rawHello());
    await raw.next(Kind.HelloAck);
    const closing = peer.close();
    // The remote is ready once it has this side's HelloAck accept, and may be calling: its HelloAck.
    raw.send({ kind: Kind.HelloAck, accepted: true });
    await peer.ready;
    expect(await raw.next(Kind.Bye)).toEqual({ kind: Kind.Bye, lastAcceptedId: 0 });
    raw.send(bye);
    await raw.next(Kind.ByeAck);
    raw.send(byeAck);
    raw.connection.end();
    await closing;
    expect(await peer.closed).toMatchObject({ initiator: "local", reason: "graceful" });
    expect(raw.all(Kind.HelloAck)).toEqual([{ kind: Kind.HelloAck, accepted: true }]);
  });

  it.each([
    ["Bye", [bye]],
    ["ByeAck", [byeAck]],
  ] as const)(
    "treats %s after Hello but before HelloAck as PROTOCOL_ERROR",
    async (what, frames) => {
      const { peer, remote } = peerWithRawRemote({});
      const raw = new RawEnd(remote);
      raw.send(rawHello(), ...frames);
      expect(codeOf(await rejection(peer.ready))).toBe("PROTOCOL_ERROR");
      const info = await peer.closed;
      expect(info.error?.message).toBe(`${what} before the Hello handshake completed`);
      expect(await raw.closed).toMatchObject({ code: "ECONNRESET" });
    },
  );

  it("treats Bye while an asynchronous verifyAuth runs as PROTOCOL_ERROR", async () => {
    const { peer, remote } = peerWithRawRemote({ verifyAuth: () => new Promise(() => {}) });
    const raw = new RawEnd(remote);
    raw.send(rawHello(), bye);
    expect(codeOf(await rejection(peer.ready))).toBe("PROTOCOL_ERROR");
    expect(codeOf((await peer.closed).error)).toBe("PROTOCOL_ERROR");
  });

  it("still closes gracefully when the remote says Bye right after its HelloAck", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.send(rawHello(), { kind: Kind.HelloAck, accepted: true }, bye);
    await peer.ready;
    await raw.next(Kind.ByeAck);
    raw.send(byeAck);
    raw.connection.end();
    expect(await peer.closed).toMatchObject({ initiator: "remote", reason: "graceful" });
  });
});
