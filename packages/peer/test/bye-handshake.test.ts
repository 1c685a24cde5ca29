import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import { createPeer, type HandlerContext } from "../src/index.js";
import { Kind } from "../src/wire-constants.js";
import type { ByeMessage } from "../src/wire-messages.js";
import { codeOf, Latch, rejection, until } from "./support/async.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";

const slow = (ms: number) => () => new Promise((r) => setTimeout(() => r(ms), ms));

describe("Bye handshake (graceful close)", () => {
  it("closes both sides gracefully with a FIN, saying who started it", async () => {
    const { client, server, serverConnection } = peerPair({}, {});
    await client.ready;
    await client.close();
    expect(await client.closed).toEqual({
      initiator: "local",
      reason: "graceful",
      calls: { completed: 0, rejected: 0, abandoned: 0 },
    });
    expect(await server.closed).toMatchObject({ initiator: "remote", reason: "graceful" });
    expect(serverConnection.remoteEnded).toBe(true); // a FIN arrived: not a reset
    expect(client.state).toBe("closed");
  });

  it("finishes calls in flight in both directions before closing", async () => {
    const { client, server } = peerPair(
      { handlers: { work: slow(20) } },
      { handlers: { work: slow(20) } },
    );
    await Promise.all([client.ready, server.ready]);
    const fromClient = client.request("work", null);
    const fromServer = server.request("work", null);
    await until(() => client.stats.requestsReceived === 1 && server.stats.requestsReceived === 1);
    const closing = client.close();
    expect(client.state).toBe("closing");
    await expect(fromClient).resolves.toBe(20);
    await expect(fromServer).resolves.toBe(20);
    await closing;
    expect((await client.closed).calls).toEqual({ completed: 1, rejected: 0, abandoned: 0 });
    expect((await server.closed).reason).toBe("graceful");
  });

  it("refuses new calls with UNAVAILABLE (not executed) once closing, on both sides", async () => {
    const gate = new Latch();
    const { client, server } = peerPair({ handlers: { work: () => gate.promise } }, {});
    await client.ready;
    const held = client.request("work", null);
    await until(() => server.stats.requestsReceived === 1);
    void client.close();
    const local = await rejection(client.request("work", null));
    expect(local).toMatchObject({ code: "UNAVAILABLE", notExecuted: true, retryable: true });
    await until(() => server.state === "closing"); // held open by the running handler
    expect((await rejection(server.request("work", null))).code).toBe("UNAVAILABLE");
    gate.open();
    await held;
  });

  it("fails calls queued but not sent when the close starts with UNAVAILABLE", async () => {
    const gate = new Latch();
    const { client } = peerPair({ handlers: { work: () => gate.promise } }, { maxPendingCalls: 1 });
    const first = client.request("work", null);
    const queued = rejection(client.request("work", null));
    await until(() => client.stats.callsWaiting === 1);
    void client.close();
    expect(await queued).toMatchObject({ code: "UNAVAILABLE", notExecuted: true });
    gate.open();
    await first;
  });

  it("completes a simultaneous Bye from both sides without deadlock", async () => {
    const { client, server } = peerPair(
      { handlers: { work: slow(15) } },
      { handlers: { work: slow(15) } },
    );
    await Promise.all([client.ready, server.ready]);
    const calls = [client.request("work", null), server.request("work", null)];
    await until(() => client.stats.requestsReceived === 1 && server.stats.requestsReceived === 1);
    await Promise.all([client.close(), server.close()]);
    await expect(Promise.all(calls)).resolves.toEqual([15, 15]);
    expect(await client.closed).toMatchObject({ initiator: "local", reason: "graceful" });
    expect(await server.closed).toMatchObject({ initiator: "local", reason: "graceful" });
  });

  it("rejects requests that crossed the Bye with UNAVAILABLE and never runs them", async () => {
    let ran = 0;
    const { client, server } = peerPair(
      { handlers: {} },
      {
        handlers: {
          work: () => {
            ran++;
            return 1;
          },
        },
      },
      { latencyMs: 10 },
    );
    await Promise.all([client.ready, server.ready]);
    void client.close(); // Bye is on its way to the server...
    const crossed = rejection(server.request("work", null)); // ...while this Request travels the other way
    const error = await crossed;
    expect(error).toMatchObject({ code: "UNAVAILABLE", notExecuted: true, retryable: true });
    expect(error.message).toContain("crossed the remote's Bye");
    await client.closed;
    expect(ran).toBe(0);
    expect(client.stats.requestsDiscarded).toBe(1);
    expect((await server.closed).calls).toEqual({ completed: 0, rejected: 1, abandoned: 0 });
  });

  it("never writes a call queued behind one that crossed the Bye: both fail not executed", async () => {
    const ran: unknown[] = [];
    const { client, server } = peerPair(
      {
        handlers: {
          work: async (input: unknown) => {
            ran.push(input);
            await new Promise((resolve) => setTimeout(resolve, 50));
            return input;
          },
        },
      },
      { maxPendingCalls: 2 },
      { latencyMs: 10 },
    );
    await Promise.all([client.ready, server.ready]);
    const first = client.request("work", 1);
    await until(() => server.stats.handlersRunning === 1);
    void server.close(); // Bye is on its way to the client...
    const crossed = rejection(client.request("work", 2)); // ...while this travels to the server,
    const queued = rejection(client.request("work", 3)); // and this waits for a free slot
    expect(await first).toBe(1);
    for (const error of [await crossed, await queued]) {
      expect(error).toMatchObject({ code: "UNAVAILABLE", notExecuted: true });
    }
    await client.closed;
    expect(ran).toEqual([1]);
    expect(client.stats.requestsSent).toBe(2);
  });

  it("sends ByeAck only once this side's handlers have finished", async () => {
    const gate = new Latch();
    const { peer, remote } = peerWithRawRemote({
      handlers: { work: () => gate.promise.then(() => 1) },
    });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    raw.send({
      kind: Kind.Request,
      id: 1,
      timeoutMs: 5_000,
      method: "work",
      metadata: undefined,
      body: null,
    });
    await until(() => peer.stats.handlersRunning === 1);
    raw.send({ kind: Kind.Bye, lastAcceptedId: 0 });
    expect(((await raw.next(Kind.Bye)) as ByeMessage).lastAcceptedId).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(raw.all(Kind.ByeAck)).toHaveLength(0);
    gate.open();
    const order = [await raw.next(Kind.Response), await raw.next(Kind.ByeAck)].map((m) => m.kind);
    expect(order).toEqual([Kind.Response, Kind.ByeAck]);
    raw.send({ kind: Kind.ByeAck });
    await until(() => raw.ended);
    remote.end();
    expect(await peer.closed).toMatchObject({ initiator: "remote", reason: "graceful" });
  });

  it("hard-closes when closeTimeoutMs runs out, failing unfinished calls with ABANDONED", async () => {
    let handlerSignal: AbortSignal | undefined;
    const stuck = (_: unknown, ctx: HandlerContext) => {
      handlerSignal = ctx.signal;
      return new Promise(() => {});
    };
    const { client, server } = peerPair(
      { handlers: { stuck }, closeTimeoutMs: 30 },
      { closeTimeoutMs: 30 },
    );
    await client.ready;
    const call = rejection(client.request("stuck", null));
    await until(() => handlerSignal !== undefined);
    await client.close();
    const error = await call;
    expect(error).toMatchObject({ code: "ABANDONED", retryable: false });
    const info = await client.closed;
    expect(info).toMatchObject({ initiator: "local", reason: "timeout", calls: { abandoned: 1 } });
    expect(codeOf(info.error)).toBe("ABANDONED");
    await server.closed;
    expect(handlerSignal?.aborted).toBe(true);
  });

  it("returns the same promise from every close() and closes on await using", async () => {
    const [a, b] = createMemoryPair();
    const server = createPeer(b, {});
    {
      await using client = createPeer(a, {});
      await client.ready;
      expect(client.close()).toBe(client.close());
    }
    expect((await server.closed).reason).toBe("graceful");
  });

  it("escalates to a reset when destroy() is called during close()", async () => {
    const { client, server } = peerPair({ handlers: { stuck: () => new Promise(() => {}) } }, {});
    await client.ready;
    const call = rejection(client.request("stuck", null));
    await until(() => server.stats.requestsReceived === 1);
    const closing = client.close();
    client.destroy();
    await closing;
    expect(await client.closed).toMatchObject({ initiator: "local", reason: "abort" });
    expect((await call).code).toBe("CONNECTION_LOST");
    expect((await server.closed).reason).toBe("error");
  });

  it("abandons the handshake without Bye when close() is called before it finished", async () => {
    const { client, server } = peerPair({}, {});
    const closing = client.close();
    expect(client.state).toBe("closed");
    await closing;
    expect(codeOf(await rejection(client.ready))).toBe("UNAVAILABLE");
    expect(codeOf(await rejection(server.ready))).toBe("UNAVAILABLE");
    expect(await client.closed).toMatchObject({ initiator: "local", reason: "abort" });
    const remote = await server.closed;
    expect(remote).toMatchObject({ initiator: "remote", reason: "error" });
    expect(remote.error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(server.stats.framesReceived).toBe(2); // Hello, HelloAck refuse: no Bye
  });

  it("closes with Bye once ready when close() comes after it accepted the remote's Hello", async () => {
    let ran = 0;
    const { client, server } = peerPair(
      {
        handlers: {
          work: () => {
            ran++;
            return 1;
          },
        },
      },
      {},
      { latencyMs: 20 },
    );
    // The server writes its Hello and HelloAck accept only once it accepted the client's Hello;
    // the client is ready (and calling) one trip later.
    await until(() => server.stats.bytesSent > 0);
    const closing = server.close();
    await client.ready;
    const outcome = await client.request("work", null).then(
      (value) => ({ value }),
      (error: { code?: string; notExecuted?: boolean }) => ({
        code: error.code,
        notExecuted: error.notExecuted,
      }),
    );
    // Answered, or refused as crossing the Bye: never CONNECTION_LOST.
    expect([{ value: 1 }, { code: "UNAVAILABLE", notExecuted: true }]).toContainEqual(outcome);
    if ("code" in outcome) expect(ran).toBe(0);
    await closing;
    expect(await server.closed).toMatchObject({ initiator: "local", reason: "graceful" });
    expect(await client.closed).toMatchObject({ initiator: "remote", reason: "graceful" });
  });

  it("treats ByeAck before Bye as PROTOCOL_ERROR", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    raw.send({ kind: Kind.ByeAck });
    const info = await peer.closed;
    expect(codeOf(info.error)).toBe("PROTOCOL_ERROR");
  });

  it("treats a Request sent after the sender's own Bye as PROTOCOL_ERROR", async () => {
    const { peer, remote } = peerWithRawRemote({ handlers: { work: () => new Promise(() => {}) } });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    raw.send(
      {
        kind: Kind.Request,
        id: 1,
        timeoutMs: 5_000,
        method: "work",
        metadata: undefined,
        body: null,
      },
      { kind: Kind.Bye, lastAcceptedId: 0 },
    );
    await raw.next(Kind.Bye);
    raw.send({
      kind: Kind.Request,
      id: 2,
      timeoutMs: 5_000,
      method: "work",
      metadata: undefined,
      body: null,
    });
    const info = await peer.closed;
    expect(codeOf(info.error)).toBe("PROTOCOL_ERROR");
    expect(info.error?.message).toContain("after the remote's own Bye");
  });
});
