import { randomBytes } from "node:crypto";
import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { authProof, helloDigest } from "../src/auth-proof.js";
import { createPeer, OverloadedError } from "../src/index.js";
import { AuthBinding, AuthStep, Kind } from "../src/wire-constants.js";
import type { AuthMessage, HelloAckMessage, HelloMessage } from "../src/wire-messages.js";
import { codeOf, rejection } from "./support/async.js";
import { calc } from "./support/contracts.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd, rawHello } from "./support/raw-end.js";

const add = ({ a, b }: { a: number; b: number }) => ({ sum: a + b });
const OLD = "old-shared-secret-7f3a9c1e5b2d";
const NEW = "new-shared-secret-2b4d6f8091a3";
const served = { serves: calc, handlers: { add } } as const;
const CALC_ID = { name: calc.name, version: String(calc.version), fingerprint: calc.fingerprint };

describe("shared-secret proofs (protocol 1.2)", () => {
  it("connects two sides holding the same secret, each learning which one the other proved", async () => {
    const { client, server } = peerPair(
      { ...served, authSecrets: [{ id: "2026-12", secret: NEW }] },
      { calls: calc, authSecrets: [{ id: "mine", secret: NEW }] },
    );
    const [c, s] = await Promise.all([client.ready, server.ready]);
    expect(s.remote.authKeyId).toBe("2026-12");
    expect(c.remote.authKeyId).toBe("mine");
    expect(c.protocolVersion).toEqual({ major: 1, minor: 2 });
    await expect(client.call.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
  });

  it("refuses a client with a wrong secret UNAUTHENTICATED on both sides", async () => {
    const { client, server } = peerPair(
      { ...served, authSecrets: NEW },
      { calls: calc, authSecrets: "a-wrong-guess-0123456789" },
    );
    const [c, s] = await Promise.all([rejection(client.ready), rejection(server.ready)]);
    expect(c.code).toBe("UNAUTHENTICATED");
    expect(s.code).toBe("UNAUTHENTICATED");
    expect(s.message).toContain("matches none of authSecrets");
  });

  it("rotates: [old, new] accepts clients with either, and a removed secret is refused", async () => {
    const both = [
      { id: "old", secret: OLD },
      { id: "new", secret: NEW },
    ];
    for (const [secret, id] of [
      [OLD, "old"],
      [NEW, "new"],
    ] as const) {
      const { client, server } = peerPair(
        { ...served, authSecrets: both },
        { calls: calc, authSecrets: secret },
      );
      await client.ready;
      expect((await server.ready).remote.authKeyId).toBe(id);
    }
    const removed = peerPair({ ...served, authSecrets: NEW }, { calls: calc, authSecrets: OLD });
    expect((await rejection(removed.client.ready)).code).toBe("UNAUTHENTICATED");
  });

  it("a client with a secret refuses a server that proves none (it has none)", async () => {
    const { client, server } = peerPair({ ...served }, { calls: calc, authSecrets: NEW });
    const [c, s] = await Promise.all([rejection(client.ready), rejection(server.ready)]);
    expect(c.code).toBe("UNAUTHENTICATED");
    expect(c.message).toContain("proved no secret");
    expect(s.code).toBe("UNAUTHENTICATED"); // the client's HelloAck refuse
  });

  it("a client without a secret refuses the challenge of a server that asks for one", async () => {
    const { client, server } = peerPair({ ...served, authSecrets: NEW }, { calls: calc });
    const [c, s] = await Promise.all([rejection(client.ready), rejection(server.ready)]);
    expect(c.code).toBe("UNAUTHENTICATED");
    expect(c.message).toContain("no authSecrets");
    expect(s.code).toBe("UNAUTHENTICATED");
  });

  it("a client refuses a server whose proof is wrong, UNAUTHENTICATED, and says so in HelloAck", async () => {
    const { peer, remote } = peerWithRawRemote({ calls: calc, authSecrets: NEW });
    const raw = new RawEnd(remote);
    const clientHello = (await raw.next(Kind.Hello)) as HelloMessage;
    expect(clientHello.authToken).toBeUndefined();
    raw.send(challenge(randomBytes(32)));
    const proof = (await raw.next(Kind.Auth)) as AuthMessage;
    expect(proof.step).toBe(AuthStep.ConnectorProof);
    const forged: AuthMessage = { ...auth(AuthStep.AcceptorProof), proof: randomBytes(32) };
    raw.send(rawHello({ serves: CALC_ID }), forged, { kind: Kind.HelloAck, accepted: true });
    const error = await rejection(peer.ready);
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toContain("does not match this side's secret");
    const ack = (await raw.next(Kind.HelloAck)) as HelloAckMessage;
    expect(ack).toMatchObject({ accepted: false, code: "UNAUTHENTICATED" });
  });

  it("refuses a recorded connector handshake replayed on a new connection", async () => {
    // Record what a real client sends to a server whose challenge we choose.
    const { peer: client, remote } = peerWithRawRemote({ calls: calc, authSecrets: NEW });
    const recorder = new RawEnd(remote);
    const hello = (await recorder.next(Kind.Hello)) as HelloMessage;
    recorder.send(challenge(randomBytes(32)));
    const proof = (await recorder.next(Kind.Auth)) as AuthMessage;
    client.destroy();
    // Replay it to a real server: it sends a fresh nonce, the recorded proof does not fit it.
    const { peer: server, remote: attacker } = peerWithRawRemote({
      ...served,
      side: "server",
      authSecrets: NEW,
    });
    const replayer = new RawEnd(attacker);
    replayer.send(hello);
    expect(((await replayer.next(Kind.Auth)) as AuthMessage).step).toBe(AuthStep.Challenge);
    replayer.send(proof);
    const error = await rejection(server.ready);
    expect(error.code).toBe("UNAUTHENTICATED");
    const ack = (await replayer.next(Kind.HelloAck)) as HelloAckMessage;
    expect(ack).toMatchObject({ accepted: false, code: "UNAUTHENTICATED" });
    expect(replayer.all(Kind.Hello).map((h) => (h as HelloMessage).codec)).toEqual([""]);
  });

  it("accepts a proof computed as docs/protocol.md says, from the connector's side", async () => {
    const { peer: server, remote } = peerWithRawRemote({
      ...served,
      side: "server",
      authSecrets: NEW,
    });
    const raw = new RawEnd(remote);
    const hello = rawHello({ calls: CALC_ID });
    raw.send(hello);
    const ch = (await raw.next(Kind.Auth)) as AuthMessage;
    const nonce = randomBytes(32);
    const t = {
      connectorNonce: nonce,
      acceptorNonce: ch.nonce!,
      connectorHello: helloDigest(raw.wire.encode(hello).subarray(4)),
      exporter: undefined,
    };
    raw.send({
      ...auth(AuthStep.ConnectorProof),
      nonce,
      proof: authProof("connector", Buffer.from(NEW), t),
    });
    const serverHello = (await raw.next(Kind.Hello)) as HelloMessage;
    const theirs = (await raw.next(Kind.Auth)) as AuthMessage;
    const expected = authProof("acceptor", Buffer.from(NEW), {
      ...t,
      acceptorHello: helloDigest(raw.wire.encode(serverHello).subarray(4)),
    });
    expect(Buffer.from(theirs.proof!).equals(Buffer.from(expected))).toBe(true);
    raw.send({ kind: Kind.HelloAck, accepted: true });
    await expect(server.ready).resolves.toBeDefined();
  });

  it("treats an Auth frame out of turn as PROTOCOL_ERROR", async () => {
    const first = peerWithRawRemote({ ...served, side: "server", authSecrets: NEW });
    new RawEnd(first.remote).send(challenge(randomBytes(32)));
    expect((await rejection(first.peer.ready)).code).toBe("PROTOCOL_ERROR");
    const { peer, remote } = peerWithRawRemote({ calls: calc });
    const raw = new RawEnd(remote);
    await raw.next(Kind.Hello);
    raw.handshake({ serves: CALC_ID });
    await peer.ready;
    raw.send(challenge(randomBytes(32)));
    expect(codeOf((await peer.closed).error)).toBe("PROTOCOL_ERROR");
  });

  it("refuses when one side binds its proof to a TLS session and the other does not", async () => {
    const [clientConnection, serverConnection] = createMemoryPair();
    const exporter = randomBytes(32);
    Object.assign(clientConnection, { exportKeyingMaterial: () => exporter });
    const server = createPeer(serverConnection, { ...served, side: "server", authSecrets: NEW });
    const client = createPeer(clientConnection, { calls: calc, authSecrets: NEW });
    onTestFinished(() => {
      client.destroy();
      server.destroy();
    });
    const error = await rejection(client.ready);
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toContain("TLS-terminating proxy");
  });

  it("binds both sides to the same session value and connects (an exporter on each end)", async () => {
    const [clientConnection, serverConnection] = createMemoryPair();
    const exporter = randomBytes(32);
    for (const c of [clientConnection, serverConnection]) {
      Object.assign(c, { exportKeyingMaterial: () => exporter });
    }
    const server = createPeer(serverConnection, { ...served, side: "server", authSecrets: NEW });
    const client = createPeer(clientConnection, { calls: calc, authSecrets: NEW });
    onTestFinished(() => {
      client.destroy();
      server.destroy();
    });
    await expect(client.call.add({ a: 2, b: 2 })).resolves.toEqual({ sum: 4 });
  });
});

describe("peers that can prove nothing (1.0/1.1)", () => {
  it("refuses a 1.1 Hello with a token by default, naming allowLegacyAuth", async () => {
    const { peer, remote } = peerWithRawRemote({ ...served, side: "server", authSecrets: NEW });
    const raw = new RawEnd(remote);
    raw.send(rawHello({ minor: 1, calls: CALC_ID, authToken: NEW }));
    const error = await rejection(peer.ready);
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toContain("allowLegacyAuth");
    const ack = (await raw.next(Kind.HelloAck)) as HelloAckMessage;
    expect(ack).toMatchObject({ accepted: false, code: "UNAUTHENTICATED" });
    expect(raw.all(Kind.Auth)).toEqual([]); // no challenge to a peer that cannot answer it
  });

  it("serves a 1.1 peer whose token is one of the secrets under allowLegacyAuth, and no other", async () => {
    const options = {
      ...served,
      side: "server",
      authSecrets: [{ id: "legacy", secret: NEW }],
      allowLegacyAuth: true,
    } as const;
    const ok = peerWithRawRemote(options);
    const raw = new RawEnd(ok.remote);
    raw.handshake({ minor: 1, calls: CALC_ID, authToken: NEW });
    expect((await ok.peer.ready).remote.authKeyId).toBe("legacy");
    const bad = peerWithRawRemote(options);
    new RawEnd(bad.remote).send(rawHello({ minor: 1, calls: CALC_ID, authToken: OLD }));
    expect((await rejection(bad.peer.ready)).code).toBe("UNAUTHENTICATED");
  });

  it("refuses a token in clear at a side that checks tokens without allowLegacyAuth", async () => {
    const { peer, remote } = peerWithRawRemote({
      ...served,
      side: "server",
      verifyAuth: () => true,
    });
    new RawEnd(remote).send(rawHello({ minor: 1, calls: CALC_ID, authToken: "t0k3n" }));
    const error = await rejection(peer.ready);
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toContain("in clear");
  });

  it("a client with secrets refuses a 1.1 server by default, and with allowLegacyAuth sends its token and goes on", async () => {
    const strict = peerWithRawRemote({ calls: calc, authSecrets: NEW });
    const refusing = new RawEnd(strict.remote);
    await refusing.next(Kind.Hello);
    refusing.handshake({ minor: 1, serves: CALC_ID });
    const error = await rejection(strict.peer.ready);
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toContain("allowLegacyAuth");
    const legacy = peerWithRawRemote({
      calls: calc,
      authSecrets: NEW,
      allowLegacyAuth: true,
      authToken: NEW,
    });
    const server = new RawEnd(legacy.remote);
    expect(((await server.next(Kind.Hello)) as HelloMessage).authToken).toBe(NEW); // in clear
    server.handshake({ minor: 1, serves: CALC_ID });
    expect((await legacy.peer.ready).protocolVersion).toEqual({ major: 1, minor: 1 });
  });

  it("says what a 1.1 server's UNAUTHENTICATED refusal wanted: a token in clear", async () => {
    const { peer, remote } = peerWithRawRemote({ calls: calc, authSecrets: NEW });
    const server = new RawEnd(remote);
    await server.next(Kind.Hello);
    server.send(rawHello({ minor: 1, codec: "" }), {
      kind: Kind.HelloAck,
      accepted: false,
      code: "UNAUTHENTICATED",
      message: "authentication failed",
    });
    const error = await rejection(peer.ready);
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toContain("protocol 1.1");
    expect(error.message).toContain("allowLegacyAuth: true and authToken");
  });

  it("changes nothing for a 1.1 peer when neither side has a secret", async () => {
    const { peer, remote } = peerWithRawRemote({ ...served, side: "server" });
    const raw = new RawEnd(remote);
    raw.handshake({ minor: 1, calls: CALC_ID });
    const info = await peer.ready;
    expect(info.protocolVersion).toEqual({ major: 1, minor: 1 });
    expect(raw.all(Kind.Auth)).toEqual([]);
  });
});

describe("the admit hook", () => {
  it("refuses a Hello that passed every check with HelloAck refuse and the hook's code", async () => {
    const { client, server } = peerPair(
      { ...served, authSecrets: NEW, admit: () => new OverloadedError("server is full") },
      { calls: calc, authSecrets: NEW },
    );
    const [c, s] = await Promise.all([rejection(client.ready), rejection(server.ready)]);
    expect(c.code).toBe("OVERLOADED");
    expect((c as { retryable?: boolean }).retryable).toBe(true);
    expect(c.message).toContain("server is full");
    expect(s.code).toBe("OVERLOADED");
  });
});

describe("authentication options", () => {
  it("refuses authToken without allowLegacyAuth, and secrets too short to resist guessing", () => {
    const [a] = createMemoryPair();
    expect(() => createPeer(a, { authToken: "t" })).toThrow(/allowLegacyAuth/);
    expect(() => createPeer(a, { authSecrets: "short" })).toThrow(/at least|16/);
    expect(() => createPeer(a, { authSecrets: [] })).toThrow(/authSecrets/);
    expect(() =>
      createPeer(a, {
        authSecrets: [
          { id: "k", secret: NEW },
          { id: "k", secret: OLD },
        ],
      }),
    ).toThrow(/twice/);
  });
});

function auth(step: AuthMessage["step"]): AuthMessage {
  return { kind: Kind.Auth, step, binding: AuthBinding.None };
}

function challenge(nonce: Uint8Array): AuthMessage {
  return { ...auth(AuthStep.Challenge), nonce };
}
