import { describe, expect, it } from "vitest";
import { Kind } from "../src/wire-constants.js";
import { codeOf, Latch, rejection, until } from "./support/async.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";

const never = () => new Promise(() => {});

describe("hard close and connection loss", () => {
  it("destroy() rejects everything at once: sent calls CONNECTION_LOST, queued ones UNAVAILABLE", async () => {
    const { client, server } = peerPair({ handlers: { never } }, { maxPendingCalls: 1 });
    await client.ready;
    const sent = rejection(client.request("never", null));
    const queued = rejection(client.request("never", null));
    await until(() => server.stats.requestsReceived === 1);
    client.destroy();
    expect(client.state).toBe("closed");
    expect(await sent).toMatchObject({
      code: "CONNECTION_LOST",
      notExecuted: false,
      retryable: false,
    });
    expect(await queued).toMatchObject({ code: "UNAVAILABLE", notExecuted: true, retryable: true });
    expect(await client.closed).toEqual({
      initiator: "local",
      reason: "abort",
      calls: { completed: 0, rejected: 1, abandoned: 1 },
    });
    const remote = await server.closed;
    expect(remote).toMatchObject({ initiator: "remote", reason: "error" });
    expect(codeOf(remote.error)).toBe("CONNECTION_LOST");
  });

  it("keeps the error given to destroy(err) as the close error and the calls' cause", async () => {
    const { client } = peerPair({ handlers: { never } }, {});
    await client.ready;
    const call = rejection(client.request("never", null));
    await until(() => client.stats.requestsSent === 1);
    const reason = new Error("shutting down");
    client.destroy(reason);
    expect((await call).cause).toBe(reason);
    expect((await client.closed).error).toBe(reason);
  });

  it("aborts running handlers when the connection goes away", async () => {
    const started = new Latch<AbortSignal>();
    const { client, server } = peerPair(
      {
        handlers: {
          hold: (_: unknown, ctx) => {
            started.open(ctx.signal);
            return never();
          },
        },
      },
      {},
    );
    void client.request("hold", null).catch(() => {});
    const signal = await started.promise;
    client.destroy();
    await server.closed;
    expect(signal.aborted).toBe(true);
  });

  it("settles pending calls with CONNECTION_LOST when the remote crashes", async () => {
    const { client, server, serverConnection } = peerPair({ handlers: { never } }, {});
    await client.ready;
    const call = rejection(client.request("never", null));
    await until(() => server.stats.requestsReceived === 1);
    serverConnection.crash();
    expect((await call).code).toBe("CONNECTION_LOST");
    const info = await client.closed;
    expect(info).toMatchObject({ initiator: "remote", reason: "error" });
    expect(codeOf(info.error?.cause)).toBe("ECONNRESET");
  });

  it("treats a FIN without Bye as a remote abort and ends its own side too", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    const call = rejection(peer.request("x", null));
    await raw.next(Kind.Request);
    remote.end();
    expect((await call).code).toBe("CONNECTION_LOST");
    expect(await peer.closed).toMatchObject({ initiator: "remote", reason: "abort" });
    expect(raw.ended).toBe(true);
  });

  it("resets the connection with PROTOCOL_ERROR on a malformed frame", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    remote.write([Uint8Array.of(0, 0, 0, 6, 0x3f, 0, 0, 0, 0, 0)]);
    const info = await peer.closed;
    expect(info).toMatchObject({ initiator: "local", reason: "error" });
    expect(codeOf(info.error)).toBe("PROTOCOL_ERROR");
    expect(await raw.closed).toBeInstanceOf(Error); // reset, not a FIN
  });

  it("closes with FRAME_TOO_LARGE when a frame declares more than maxFrameBytes", async () => {
    const { peer, remote } = peerWithRawRemote({ maxFrameBytes: 65_536 });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    remote.write([Uint8Array.of(0, 0x10, 0, 0, Kind.Request)]);
    expect(codeOf((await peer.closed).error)).toBe("FRAME_TOO_LARGE");
  });

  it("says what the remote seems to speak when the first bytes are HTTP", async () => {
    const { peer, remote } = peerWithRawRemote({});
    remote.attach({ onData() {}, onEnd() {}, onDrain() {}, onClose() {} });
    remote.write([new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]);
    const error = await rejection(peer.ready);
    expect(error.code).toMatch(/^FRAME_/);
    expect(error.message).toMatch(/HTTP/);
  });

  it("rejects calls made after the peer closed with UNAVAILABLE", async () => {
    const { client } = peerPair({}, {});
    client.destroy();
    expect((await rejection(client.request("x", null))).code).toBe("UNAVAILABLE");
    expect((await rejection(client.ready)).code).toBe("UNAVAILABLE");
  });
});
