import { createJsonCodec } from "@parley/codec";
import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { createPeer, createTokenVerifier, refuseConnection } from "../src/index.js";
import { Kind } from "../src/wire-constants.js";
import type { HelloAckMessage } from "../src/wire-messages.js";
import { codeOf, rejection } from "./support/async.js";
import { calc, calcDrifted, notes } from "./support/contracts.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd, rawHello } from "./support/raw-end.js";

const add = ({ a, b }: { a: number; b: number }) => ({ sum: a + b });

describe("Hello handshake", () => {
  it("resolves ready on both sides with what the other side advertised", async () => {
    const { client, server } = peerPair(
      { serves: calc, handlers: { add }, metadata: { region: "eu" }, maxConcurrentHandlers: 8 },
      { calls: calc, maxFrameBytes: 70_000 },
    );
    const [c, s] = await Promise.all([client.ready, server.ready]);
    expect(c.remote.serves).toEqual({ name: "calc", version: "1", fingerprint: calc.fingerprint });
    expect(c.remote.metadata).toEqual({ region: "eu" });
    expect(c.remote.maxConcurrentRequests).toBe(8 + 1024);
    expect(c.protocolVersion).toEqual({ major: 1, minor: 2 });
    expect(s.remote.calls?.name).toBe("calc");
    expect(s.remote.maxFrameBytes).toBe(70_000);
    expect(client.state).toBe("open");
    expect(server.state).toBe("open");
  });

  it("lets calls made before ready wait for the handshake, then run", async () => {
    const { client } = peerPair({ serves: calc, handlers: { add } }, { calls: calc });
    expect(client.state).toBe("handshaking");
    await expect(client.call.add({ a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
  });

  it("fails both sides with VERSION_MISMATCH when the majors differ", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.send(rawHello({ major: 2, minor: 1 }));
    const error = await rejection(peer.ready);
    expect(error.code).toBe("VERSION_MISMATCH");
    expect(error.message).toContain("2.1");
    const ack = (await raw.next(Kind.HelloAck)) as HelloAckMessage;
    expect(ack).toMatchObject({ accepted: false, code: "VERSION_MISMATCH" });
    remote.end();
    expect(await peer.closed).toMatchObject({ initiator: "local", reason: "error" });
  });

  it("fails both sides with CODEC_MISMATCH when the codecs differ", async () => {
    const { client, server } = peerPair({ codec: createJsonCodec() }, {});
    const [c, s] = await Promise.all([rejection(client.ready), rejection(server.ready)]);
    expect(c.code).toBe("CODEC_MISMATCH");
    expect(s.code).toBe("CODEC_MISMATCH");
    expect(c.message).toContain("json");
  });

  it("fails both sides with CONTRACT_MISMATCH when the called contract is not the served one", async () => {
    const { client, server } = peerPair({ serves: notes }, { calls: calc });
    const [c, s] = await Promise.all([rejection(client.ready), rejection(server.ready)]);
    expect(c.code).toBe("CONTRACT_MISMATCH");
    expect(s.code).toBe("CONTRACT_MISMATCH");
    expect(c.message).toContain("calls calc v1");
    expect(c.message).toContain("serves notes v2");
  });

  it("reports differing schemas of the same contract version as CONTRACT_MISMATCH", async () => {
    const { client } = peerPair({ serves: calcDrifted }, { calls: calc, contractCheck: "strict" });
    const error = await rejection(client.ready);
    expect(error.code).toBe("CONTRACT_MISMATCH");
    expect(error.message).toContain("schemas differ");
  });

  it("refuses a caller when the other side serves no contract", async () => {
    const { client } = peerPair({}, { calls: calc });
    const error = await rejection(client.ready);
    expect(error.code).toBe("CONTRACT_MISMATCH");
    expect(error.message).toContain("serves no contract");
  });

  it("rejects calls waiting for the handshake with the handshake's error", async () => {
    const { client } = peerPair({ serves: notes }, { calls: calc });
    const error = await rejection(client.call.add({ a: 1, b: 1 }));
    expect(error.code).toBe("CONTRACT_MISMATCH");
    expect(error.notExecuted).toBe(true);
  });

  it("accepts the right legacy token and refuses a wrong one with UNAUTHENTICATED on both sides", async () => {
    const verifyAuth = createTokenVerifier(["old-secret", "s3cret"]);
    const legacy = { allowLegacyAuth: true } as const;
    const ok = peerPair({ verifyAuth, ...legacy }, { authToken: "s3cret", ...legacy });
    await expect(ok.client.ready).resolves.toBeDefined();
    const bad = peerPair({ verifyAuth, ...legacy }, { authToken: "guess", ...legacy });
    const [c, s] = await Promise.all([rejection(bad.client.ready), rejection(bad.server.ready)]);
    expect(c.code).toBe("UNAUTHENTICATED");
    expect(c.message).toContain("authentication failed");
    expect(c.message).not.toContain("guess");
    expect(s.code).toBe("UNAUTHENTICATED");
    const none = peerPair({ verifyAuth, ...legacy }, {});
    expect((await rejection(none.client.ready)).code).toBe("UNAUTHENTICATED");
  });

  it("waits for an async verifier, holding what arrives meanwhile, and passes it the remote Hello", async () => {
    let seen: unknown;
    const { client } = peerPair(
      {
        serves: calc,
        handlers: { add },
        allowLegacyAuth: true,
        verifyAuth: async (token, hello) => {
          seen = hello.metadata;
          await new Promise((r) => setTimeout(r, 5));
          return token === "t";
        },
      },
      { calls: calc, authToken: "t", allowLegacyAuth: true, metadata: { app: "test" } },
    );
    await expect(client.call.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    expect(seen).toEqual({ app: "test" });
  });

  it("refuses with UNAUTHENTICATED when the verifier throws or rejects", async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) };
    const sync = peerPair(
      {
        logger,
        verifyAuth: () => {
          throw new Error("db down");
        },
      },
      {},
    );
    expect((await rejection(sync.client.ready)).code).toBe("UNAUTHENTICATED");
    const async = peerPair({ verifyAuth: () => Promise.reject(new Error("db down")) }, {});
    expect((await rejection(async.client.ready)).code).toBe("UNAUTHENTICATED");
    expect(warnings.some((w) => w.includes("verifyAuth threw"))).toBe(true);
  });

  it("fails with HANDSHAKE_TIMEOUT when the remote never says Hello", async () => {
    const { peer, remote } = peerWithRawRemote({ handshakeTimeoutMs: 30 });
    new RawEnd(remote);
    const error = await rejection(peer.ready);
    expect(error.code).toBe("HANDSHAKE_TIMEOUT");
    expect(error.retryable).toBe(true);
    expect(await peer.closed).toMatchObject({ initiator: "local", reason: "timeout" });
  });

  it("refuses a first frame that is not Hello with PROTOCOL_ERROR, telling the remote why", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.send({ kind: Kind.Ping, id: 1 });
    expect((await rejection(peer.ready)).code).toBe("PROTOCOL_ERROR");
    const ack = (await raw.next(Kind.HelloAck)) as HelloAckMessage;
    expect(ack).toMatchObject({ accepted: false, code: "PROTOCOL_ERROR" });
    expect(!ack.accepted && ack.message).toContain("expected Hello");
  });

  it("accepts only HelloAck refuse after a refusal Hello: anything else is PROTOCOL_ERROR", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.send(rawHello({ codec: "" }), { kind: Kind.Ping, id: 1 });
    const error = await rejection(peer.ready);
    expect(error.code).toBe("PROTOCOL_ERROR");
    expect(error.message).toContain("expected HelloAck refuse after a refusal Hello, got Ping");
    expect(await peer.closed).toMatchObject({ initiator: "local", reason: "error" });
  });

  it("treats a Request before this side accepted the Hello as PROTOCOL_ERROR", async () => {
    const { peer, remote } = peerWithRawRemote({
      verifyAuth: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 20)),
    });
    const raw = new RawEnd(remote);
    const request = {
      kind: Kind.Request,
      id: 1,
      timeoutMs: 100,
      method: "x",
      metadata: undefined,
      body: undefined,
    } as const;
    raw.send(rawHello(), { kind: Kind.HelloAck, accepted: true }, request);
    const error = await rejection(peer.ready);
    expect(error.code).toBe("PROTOCOL_ERROR");
    expect(error.message).toContain("before this side accepted the Hello");
  });

  it("treats a second Hello as PROTOCOL_ERROR", async () => {
    const { peer, remote } = peerWithRawRemote({});
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    raw.send(rawHello());
    const info = await peer.closed;
    expect(info.reason).toBe("error");
    expect(codeOf(info.error)).toBe("PROTOCOL_ERROR");
  });

  it("turns a refuseConnection into a retryable error on the other side's ready and calls", async () => {
    const [clientConnection, serverConnection] = createMemoryPair();
    const refused = refuseConnection(serverConnection, {
      code: "OVERLOADED",
      message: "too many connections",
    });
    const client = createPeer(clientConnection, { calls: calc });
    onTestFinished(() => client.destroy());
    const call = rejection(client.call.add({ a: 1, b: 1 }));
    const error = await rejection(client.ready);
    expect(error.code).toBe("OVERLOADED");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("too many connections");
    expect((await call).code).toBe("OVERLOADED");
    await refused;
    expect(await client.closed).toMatchObject({ initiator: "remote", reason: "error" });
  });

  it("maps a refusal code it does not know to CONNECTION_REFUSED", async () => {
    const [clientConnection, serverConnection] = createMemoryPair();
    void refuseConnection(serverConnection, { code: "MAINTENANCE", message: "back at 6" });
    const client = createPeer(clientConnection, {});
    onTestFinished(() => client.destroy());
    const error = await rejection(client.ready);
    expect(error.code).toBe("CONNECTION_REFUSED");
    expect((error as unknown as { remoteCode: string }).remoteCode).toBe("MAINTENANCE");
  });

  it("refuses options whose Hello would exceed 64 KiB with INVALID_OPTION", () => {
    const [connection] = createMemoryPair();
    const metadata = { a: "x".repeat(40_000), b: "y".repeat(40_000) };
    expect(() => createPeer(connection, { metadata })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
  });
});

describe("createTokenVerifier", () => {
  it("accepts only the given tokens and refuses a missing one", () => {
    const verify = createTokenVerifier("abc");
    expect(verify("abc")).toBe(true);
    expect(verify("abd")).toBe(false);
    expect(verify("abcd")).toBe(false);
    expect(verify(undefined)).toBe(false);
  });

  it("requires at least one non-empty token", () => {
    expect(() => createTokenVerifier([])).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
    expect(() => createTokenVerifier("")).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
  });
});
