import { createHash } from "node:crypto";
import { connect as connectRaw, createServer, type Socket } from "node:net";
import { createTokenVerifier } from "@parley/peer";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

const SERVER_SECRET = "server-secret-7f3a9c1e5b2d4086a1c3e5f7";
const CLIENT_SECRET = "client-secret-2b4d6f8091a3c5e7f9b1d3e5";

async function startServer(accepted: string | readonly string[] = CLIENT_SECRET) {
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract: testContract,
    handlers: testHandlers(),
    authToken: SERVER_SECRET,
    verifyAuth: createTokenVerifier(accepted),
  });
  onTestFinished(() => server.destroy());
  const refusals: { code: string }[] = [];
  server.on("refuse", (_address, error) => refusals.push(error as never));
  return { server, refusals, port: Number(server.url.split(":").pop()) };
}

/** Asserts that neither the secret nor its SHA-256 (raw or hex) is in `bytes`. */
function expectNothingOf(secret: string, bytes: Buffer): void {
  const digest = createHash("sha256").update(secret).digest();
  expect(bytes.includes(Buffer.from(secret))).toBe(false);
  expect(bytes.includes(digest)).toBe(false);
  expect(bytes.includes(Buffer.from(digest.toString("hex")))).toBe(false);
  // The control: the check finds the secret where it is.
  expect(Buffer.concat([bytes, Buffer.from(secret)]).includes(Buffer.from(secret))).toBe(true);
}

/** A raw socket that sends `bytes` and collects everything the server sends until it closes. */
async function rawExchange(port: number, bytes: Uint8Array, waitMs: number): Promise<Buffer> {
  const socket = connectRaw({ host: "127.0.0.1", port });
  const received: Buffer[] = [];
  socket.on("data", (chunk) => received.push(chunk));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise((resolve) => socket.once("connect", resolve));
  if (bytes.length > 0) socket.write(bytes);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, waitMs))]);
  socket.destroy();
  return Buffer.concat(received);
}

/** A TCP relay to `port` that records every byte the server sends back. */
async function recordingRelay(port: number): Promise<{ port: number; fromServer: Buffer[] }> {
  const fromServer: Buffer[] = [];
  const relay = createServer((inbound: Socket) => {
    const outbound = connectRaw({ host: "127.0.0.1", port });
    outbound.on("data", (chunk) => {
      fromServer.push(chunk);
      inbound.write(chunk);
    });
    inbound.on("data", (chunk) => outbound.write(chunk));
    for (const [a, b] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      a.on("error", () => b.destroy());
      a.on("close", () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => relay.close(() => resolve())));
  return { port: (relay.address() as { port: number }).port, fromServer };
}

describe("the server's authToken never reaches a connector that has not authenticated", () => {
  it("sends nothing at all to a connector that sends nothing (its Hello waits for the remote's)", async () => {
    const { port } = await startServer();
    const received = await rawExchange(port, new Uint8Array(0), 300);
    expect(received.length).toBe(0);
  });

  it("answers a Ping in place of a Hello with a refusal that holds nothing of the secret", async () => {
    const { port } = await startServer();
    // A well-formed Ping frame (length 6, kind 0x07, flags 0, id 1) where the Hello should be.
    const ping = Buffer.from("00000006070000000001", "hex");
    const received = await rawExchange(port, ping, 2_000);
    expect(received.length).toBeGreaterThan(0); // it was refused in words
    expect(received.includes(Buffer.from("expected Hello as the first frame"))).toBe(true);
    expectNothingOf(SERVER_SECRET, received);
  });

  it("refuses a Parley client with a wrong token UNAUTHENTICATED, and its bytes hold nothing of the secret", async () => {
    const { refusals, port } = await startServer();
    const relay = await recordingRelay(port);
    await expect(
      connect({
        url: `tcp://127.0.0.1:${relay.port}`,
        contract: testContract,
        authToken: "a-guess-that-is-wrong",
      }),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(refusals.map((r) => r.code)).toEqual(["UNAUTHENTICATED"]);
    const bytes = Buffer.concat(relay.fromServer);
    expect(bytes.length).toBeGreaterThan(0);
    expectNothingOf(SERVER_SECRET, bytes);
  });
});

describe("token checks both ways, and rotation", () => {
  it("a client refuses a server whose token it does not accept, UNAUTHENTICATED", async () => {
    const { server, refusals } = await startServer();
    await expect(
      connect({
        url: server.url,
        contract: testContract,
        authToken: CLIENT_SECRET,
        verifyAuth: createTokenVerifier("the-server-it-expected-0123456789"),
      }),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect.poll(() => refusals.map((r) => r.code)).toEqual(["UNAUTHENTICATED"]);
  });

  it("accepts the old and the new token while both are listed, and only those", async () => {
    const next = "client-secret-next-5e7f9b1d3e5a2b4d6f80";
    const { server } = await startServer([CLIENT_SECRET, next]);
    for (const authToken of [CLIENT_SECRET, next]) {
      const client = await connect({
        url: server.url,
        contract: testContract,
        authToken,
        verifyAuth: createTokenVerifier(SERVER_SECRET),
      });
      await expect(client.call.echo("rotated")).resolves.toBe("rotated");
      await client.close();
    }
    await expect(
      connect({ url: server.url, contract: testContract, authToken: "retired-token-0123456789" }),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
});
