import { createHash, createHmac, randomBytes } from "node:crypto";
import { connect as connectRaw, type Socket } from "node:net";
import { createMsgpackCodec } from "@parley/codec";
import {
  AuthBinding,
  AuthStep,
  FrameEncoder,
  FrameParser,
  Kind,
  type Message,
} from "@parley/peer/internal";
import { createByteTap } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

const SECRET = "shared-secret-7f3a9c1e5b2d4086a1c3e5f7";
const NEXT = "shared-secret-next-2b4d6f8091a3c5e7f9b1";
const encoder = new FrameEncoder(createMsgpackCodec());

async function startServer(options: Record<string, unknown> = {}) {
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract: testContract,
    handlers: testHandlers(),
    authSecrets: SECRET,
    ...options,
  });
  onTestFinished(() => server.destroy());
  const refusals: { code: string }[] = [];
  server.on("refuse", (_address, error) => refusals.push(error as never));
  return { server, refusals, port: Number(server.url.split(":").pop()) };
}

/**
 * Asserts that nothing derived from `secret` is in `bytes`: the secret, its SHA-256 (raw and hex),
 * and its HMAC-SHA-256 over a fixed message (what a naive proof without nonces would be).
 */
function expectNothingOf(secret: string, bytes: Buffer): void {
  const digest = createHash("sha256").update(secret).digest();
  const hmac = createHmac("sha256", secret).update("parley").digest();
  for (const needle of [Buffer.from(secret), digest, Buffer.from(digest.toString("hex")), hmac]) {
    expect(bytes.includes(needle)).toBe(false);
    // The control: the same check finds the needle where it is.
    expect(Buffer.concat([bytes, needle]).includes(needle)).toBe(true);
  }
}

/** A raw TCP connector that keeps everything it receives, frame by frame. */
class RawConnector {
  readonly received: Buffer[] = [];
  private readonly socket: Socket;
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = connectRaw({ host: "127.0.0.1", port });
    this.socket.on("data", (chunk) => this.received.push(chunk));
    this.socket.on("error", () => {});
    this.closed = new Promise((resolve) => this.socket.once("close", () => resolve()));
    onTestFinished(() => {
      this.socket.destroy();
    });
  }

  send(...frames: Uint8Array[]): void {
    for (const frame of frames) this.socket.write(frame);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  /** The frames received so far, parsed. */
  messages(): Message[] {
    return splitFrames(this.bytes).map((payload) =>
      new FrameParser(createMsgpackCodec()).parse(payload),
    );
  }

  /** Waits until a frame of `kind` arrived (or the socket closed, or `ms` passed). */
  async waitFor(kind: number, ms = 5_000): Promise<Message | undefined> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const found = this.messages().find((m) => m.kind === kind);
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return undefined;
  }
}

/** The payloads of the complete frames in `bytes` (4-byte big-endian length prefix each). */
function splitFrames(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    if (at + 4 + length > bytes.length) break;
    out.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

function hello(minor: number, authToken?: string): Uint8Array {
  return encoder.encode({
    kind: Kind.Hello,
    major: 1,
    minor,
    codec: "msgpack",
    serves: undefined,
    calls: undefined,
    maxFrameBytes: 4_194_304,
    maxConcurrentRequests: 1280,
    heartbeatIntervalMs: 0,
    heartbeatTimeoutMs: 10_000,
    authToken,
    metadata: undefined,
  });
}

describe("a connector that never proves the secret learns nothing of it", () => {
  it("sends nothing at all to a connector that sends nothing (its Hello waits for the remote's)", async () => {
    const { port } = await startServer();
    const raw = new RawConnector(port);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(raw.bytes.length).toBe(0);
  });

  it("answers a 1.2 Hello with only the 40-byte challenge, nothing of the secret or its Hello", async () => {
    const { port } = await startServer();
    const raw = new RawConnector(port);
    raw.send(hello(2));
    const challenge = await raw.waitFor(Kind.Auth);
    expect(challenge).toMatchObject({ kind: Kind.Auth, step: AuthStep.Challenge });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(raw.bytes.length).toBe(44); // 4-byte prefix + 40: no Hello, no contract
    expectNothingOf(SECRET, raw.bytes);
  });

  it("refuses a bogus proof UNAUTHENTICATED, and every byte it sent holds nothing of the secret", async () => {
    const { port, refusals } = await startServer();
    const raw = new RawConnector(port);
    raw.send(hello(2));
    await raw.waitFor(Kind.Auth);
    raw.send(
      encoder.encode({
        kind: Kind.Auth,
        step: AuthStep.ConnectorProof,
        binding: AuthBinding.None,
        nonce: randomBytes(32),
        proof: randomBytes(32),
      }),
    );
    expect(await raw.waitFor(Kind.HelloAck)).toMatchObject({
      accepted: false,
      code: "UNAUTHENTICATED",
    });
    await raw.closed;
    expectNothingOf(SECRET, raw.bytes);
    expect(refusals.map((r) => r.code)).toEqual(["UNAUTHENTICATED"]);
  });

  it("answers a Ping in place of a Hello with a refusal that holds nothing of the secret", async () => {
    const { port } = await startServer();
    const raw = new RawConnector(port);
    raw.send(Buffer.from("00000006070000000001", "hex"));
    await raw.closed;
    expect(raw.bytes.includes(Buffer.from("expected Hello as the first frame"))).toBe(true);
    expectNothingOf(SECRET, raw.bytes);
  });
});

describe("a sniffed tcp:// handshake", () => {
  it("holds neither the secret nor its hash, in either direction, through a whole session", async () => {
    const { server } = await startServer({ authSecrets: [{ id: "k1", secret: SECRET }] });
    const tap = await createByteTap({
      host: "127.0.0.1",
      port: Number(server.url.split(":").pop()),
    });
    onTestFinished(() => tap.close());
    const client = await connect({
      url: `tcp://127.0.0.1:${tap.address.port}`,
      contract: testContract,
      authSecrets: SECRET,
    });
    await expect(client.call.echo("hello")).resolves.toBe("hello");
    await client.close();
    const [session] = tap.connections;
    const toServer = Buffer.concat(session!.toTarget);
    const toClient = Buffer.concat(session!.toClient);
    expect(splitFrames(toServer).map((p) => p[0])).toContain(Kind.Auth);
    expect(splitFrames(toClient).map((p) => p[0])).toContain(Kind.Auth);
    expectNothingOf(SECRET, toServer);
    expectNothingOf(SECRET, toClient);
  });

  it("cannot be replayed: the recorded Hello and proof are refused on a new connection", async () => {
    const { server, port } = await startServer();
    const tap = await createByteTap({ host: "127.0.0.1", port });
    onTestFinished(() => tap.close());
    const client = await connect({
      url: `tcp://127.0.0.1:${tap.address.port}`,
      contract: testContract,
      authSecrets: SECRET,
    });
    await client.close();
    const frames = splitFrames(Buffer.concat(tap.connections[0]!.toTarget));
    const [recordedHello, recordedProof] = frames.map((payload) => prefixed(payload));
    expect(frames[1]![0]).toBe(Kind.Auth);
    const raw = new RawConnector(port);
    raw.send(recordedHello!);
    expect(await raw.waitFor(Kind.Auth)).toMatchObject({ step: AuthStep.Challenge });
    raw.send(recordedProof!);
    expect(await raw.waitFor(Kind.HelloAck)).toMatchObject({
      accepted: false,
      code: "UNAUTHENTICATED",
    });
    expect(server.connections.length).toBe(0);
  });
});

describe("secrets both ways, rotation, older peers", () => {
  it("refuses a client with a wrong secret, and a client refuses a server without one", async () => {
    const { server, refusals } = await startServer();
    await expect(
      connect({ url: server.url, contract: testContract, authSecrets: "a-wrong-guess-0123456789" }),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect.poll(() => refusals.map((r) => r.code)).toEqual(["UNAUTHENTICATED"]);
    const open = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
    });
    onTestFinished(() => open.destroy());
    await expect(
      connect({ url: open.url, contract: testContract, authSecrets: SECRET }),
    ).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      message: expect.stringContaining("proved no secret"),
    });
  });

  it("accepts the old and the new secret while both are listed, and not a removed one", async () => {
    const { server } = await startServer({ authSecrets: [SECRET, NEXT] });
    for (const authSecrets of [SECRET, NEXT]) {
      const client = await connect({ url: server.url, contract: testContract, authSecrets });
      await expect(client.call.echo("rotated")).resolves.toBe("rotated");
      await client.close();
    }
    const { server: rotated } = await startServer({ authSecrets: NEXT });
    await expect(
      connect({ url: rotated.url, contract: testContract, authSecrets: SECRET }),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("ends a reconnecting client's attempts at once on UNAUTHENTICATED (not retryable)", async () => {
    const { server } = await startServer();
    const started = Date.now();
    await expect(
      connect({
        url: server.url,
        contract: testContract,
        authSecrets: "a-wrong-guess-0123456789",
        reconnect: true,
        waitForReady: { timeoutMs: 20_000 },
      }),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED", retryable: false });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("refuses a 1.1 client's token by default, naming allowLegacyAuth, and serves it with the option", async () => {
    const { port } = await startServer();
    const refused = new RawConnector(port);
    refused.send(hello(1, SECRET));
    const ack = await refused.waitFor(Kind.HelloAck);
    expect(ack).toMatchObject({ accepted: false, code: "UNAUTHENTICATED" });
    expect((ack as { message: string }).message).toContain("allowLegacyAuth");
    const { port: legacyPort } = await startServer({ allowLegacyAuth: true });
    const served = new RawConnector(legacyPort);
    served.send(hello(1, SECRET));
    expect(await served.waitFor(Kind.HelloAck)).toMatchObject({ accepted: true });
    const wrong = new RawConnector(legacyPort);
    wrong.send(hello(1, "not-the-secret-at-all-000"));
    expect(await wrong.waitFor(Kind.HelloAck)).toMatchObject({
      accepted: false,
      code: "UNAUTHENTICATED",
    });
  });
});

function prefixed(payload: Buffer): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}
