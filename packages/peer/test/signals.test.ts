import { describe, expect, it } from "vitest";
import { Kind } from "../src/wire-constants.js";
import { Latch, rejection, until } from "./support/async.js";
import { calc } from "./support/contracts.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";

describe("signals", () => {
  it("delivers a typed signal, validated, with its metadata, via signal() and the emit proxy", async () => {
    const got: unknown[] = [];
    const { client } = peerPair(
      {
        serves: calc,
        signalHandlers: {
          log: (p, ctx) => {
            got.push({ ...p, meta: { ...ctx.metadata }, name: ctx.name });
          },
        },
      },
      { calls: calc },
    );
    await client.signal("log", { text: "one" }, { metadata: { level: "info" } });
    await client.emit.log({ text: "two" });
    await until(() => got.length === 2);
    expect(got).toEqual([
      { text: "one", meta: { level: "info" }, name: "log" },
      { text: "two", meta: {}, name: "log" },
    ]);
  });

  it("drops and counts a signal whose payload fails the schema, warning the logger", async () => {
    const warnings: string[] = [];
    const got: unknown[] = [];
    const { client, server } = peerPair(
      {
        serves: calc,
        signalHandlers: {
          log: (p) => {
            got.push(p);
          },
        },
        logger: { warn: (m) => warnings.push(m) },
      },
      {},
    );
    await client.signal("log", { text: 42 });
    await client.signal("log", { text: "ok" });
    await until(() => got.length === 1);
    expect(got).toEqual([{ text: "ok" }]);
    expect(server.stats.signalsDropped).toBe(1);
    expect(warnings.some((w) => w.includes("invalid signal log"))).toBe(true);
  });

  it("names the signal in the logger's details when it drops one or its handler throws", async () => {
    const details: unknown[] = [];
    const { client, server } = peerPair(
      {
        serves: calc,
        signalHandlers: {
          log: () => {
            throw new Error("handler failed");
          },
        },
        logger: { warn: (_m, d) => details.push(d) },
      },
      {},
    );
    await client.signal("log", { text: 42 });
    await client.signal("log", { text: "ok" });
    await until(() => server.stats.handlerErrors === 1);
    expect(details).toEqual([
      { error: expect.objectContaining({ code: "INVALID_SIGNAL" }), signal: "log" },
      { error: expect.objectContaining({ message: "handler failed" }), signal: "log" },
    ]);
  });

  it("drops a signal the contract does not define, and one without a handler", async () => {
    const { client, server } = peerPair({ serves: calc }, {});
    await client.signal("unknown", 1);
    await client.signal("log", { text: "no handler" });
    await until(() => server.stats.signalsReceived === 2);
    expect(server.stats.signalsDropped).toBe(2);
    expect(server.state).toBe("open");
  });

  it("refuses locally a signal missing from the called contract", async () => {
    const { client } = peerPair({ serves: calc }, { calls: calc });
    const error = await rejection(client.signal("nope" as "log", { text: "x" }));
    expect(error.code).toBe("UNIMPLEMENTED");
  });

  it("counts and logs a signal handler that throws, and carries on", async () => {
    const warnings: string[] = [];
    const { client, server } = peerPair(
      {
        signalHandlers: {
          bad: () => {
            throw new Error("oops");
          },
        },
        logger: { warn: (m) => warnings.push(m) },
      },
      {},
    );
    await client.signal("bad", null);
    await until(() => server.stats.handlerErrors === 1);
    expect(warnings.some((w) => w.includes("signal handler for bad threw"))).toBe(true);
    expect(server.state).toBe("open");
  });

  it("keeps the order of signals and requests sent by one side", async () => {
    const seen: string[] = [];
    const { client } = peerPair(
      {
        handlers: {
          req: (n: number) => {
            seen.push(`r${n}`);
            return n;
          },
        },
        signalHandlers: {
          sig: (n: number) => {
            seen.push(`s${n}`);
          },
        },
        maxConcurrentHandlers: 1,
      },
      {},
    );
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      work.push(client.signal("sig", i), client.request("req", i));
    }
    await Promise.all(work);
    await until(() => seen.length === 10);
    expect(seen).toEqual(["s0", "r0", "s1", "r1", "s2", "r2", "s3", "r3", "s4", "r4"]);
  });

  it("refuses a signal larger than the remote's maxFrameBytes (MESSAGE_TOO_LARGE)", async () => {
    const { client } = peerPair({ maxFrameBytes: 65_536 }, {});
    await client.ready;
    expect((await rejection(client.signal("big", "x".repeat(70_000)))).code).toBe(
      "MESSAGE_TOO_LARGE",
    );
  });

  it("drops signals when the handler queue is full", async () => {
    const gate = new Latch();
    const { peer, remote } = peerWithRawRemote({
      signalHandlers: { s: () => gate.promise },
      maxConcurrentHandlers: 1,
      maxQueuedRequests: 1,
    });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    const signal = { kind: Kind.Signal, name: "s", metadata: undefined, body: null } as const;
    raw.send(signal, signal, signal);
    await until(() => peer.stats.signalsReceived === 3);
    expect(peer.stats.signalsDropped).toBe(1);
    gate.open();
  });

  it("rejects signal() with UNAVAILABLE once the peer is closing", async () => {
    const { client } = peerPair({}, {});
    await client.ready;
    void client.close();
    expect((await rejection(client.signal("x", 1))).code).toBe("UNAVAILABLE");
  });
});
