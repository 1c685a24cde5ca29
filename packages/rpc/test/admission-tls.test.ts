import { once } from "node:events";
import { connect as connectRaw } from "node:net";
import { generateTestCertificates } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

const certs = generateTestCertificates();

/** The first bytes of a TLS ClientHello record announcing 200 bytes, of which it sends one. */
const PARTIAL_CLIENT_HELLO = Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0xc8, 0x01);

/** A raw TCP connection that starts a TLS handshake (or not) and never finishes it. */
async function stalledHandshake(port: number, bytes: Uint8Array | undefined) {
  const socket = connectRaw({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  socket.on("data", () => {});
  onTestFinished(() => {
    socket.destroy();
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await once(socket, "connect");
  if (bytes !== undefined) socket.write(bytes);
  return { socket, closed };
}

describe("sockets in their TLS handshake hold a handshaking slot", () => {
  it("drops the oldest stalled TLS handshakes past maxHandshakingConnections, and a real client still connects and calls", async () => {
    const server = await serve({
      url: "tls://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
      tls: { ...certs.server, handshakeTimeoutMs: 30_000 },
      maxHandshakingConnections: 4,
    });
    onTestFinished(() => server.destroy());
    const refusals: { code: string; message: string }[] = [];
    server.on("refuse", (_address, error) => refusals.push(error as never));
    const port = Number(server.url.split(":").pop());
    const stalled: Awaited<ReturnType<typeof stalledHandshake>>[] = [];
    for (let i = 0; i < 12; i++) {
      stalled.push(await stalledHandshake(port, i % 2 === 0 ? PARTIAL_CLIENT_HELLO : undefined));
    }
    // The 8 oldest were dropped at once, long before the 30 s TLS handshake timeout.
    await Promise.all(stalled.slice(0, 8).map((s) => s.closed));
    expect(stalled.slice(8).every((s) => !s.socket.destroyed)).toBe(true);
    expect(refusals).toHaveLength(8);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({
        code: "OVERLOADED",
        message: expect.stringContaining("maxHandshakingConnections (4)"),
      });
    }
    const client = await connect({
      url: server.url,
      contract: testContract,
      tls: { ca: certs.ca.cert },
    });
    onTestFinished(() => client.close());
    await expect(client.call.echo("through the flood")).resolves.toBe("through the flood");
  });
});
