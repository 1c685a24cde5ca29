import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { TestCertificates } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connectTls } from "../src/index.js";
import { echoServer, useTestCertificates } from "./helpers/tls-servers.js";

let certs: TestCertificates;
useTestCertificates((made) => {
  certs = made;
});

/** How many connects each dropping server sees: a drop must be classified the same every time. */
const ATTEMPTS = 25;

/** What a server shedding load or restarting does to a TLS client it accepted. */
const DROPS: Record<string, (socket: Socket) => void> = {
  "resets the connection after reading the ClientHello": (socket) =>
    socket.once("data", () => socket.resetAndDestroy()),
  "closes the connection after reading the ClientHello": (socket) =>
    socket.once("data", () => socket.destroy()),
  "resets the connection as soon as it accepts it": (socket) => socket.resetAndDestroy(),
  "closes the connection as soon as it accepts it": (socket) => socket.destroy(),
};

/** A plain TCP server on 127.0.0.1 that treats every connection with `drop`. */
async function droppingServer(drop: (socket: Socket) => void): Promise<number> {
  const server: Server = createNetServer((socket) => {
    socket.on("error", () => {});
    drop(socket);
  });
  await new Promise<void>((done) => server.listen({ host: "127.0.0.1", port: 0 }, done));
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())));
  return (server.address() as { port: number }).port;
}

describe("a TLS handshake the server drops", () => {
  for (const [how, drop] of Object.entries(DROPS)) {
    it(`fails CONNECT_FAILED, retryable, when the server ${how}`, async () => {
      const port = await droppingServer(drop);
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const error = await connectTls({ host: "127.0.0.1", port, ca: certs.ca.cert }).then(
          (connection) => {
            connection.reset();
            throw new Error("the handshake completed with a server that dropped it");
          },
          (thrown: unknown) => thrown,
        );
        expect(error).toMatchObject({
          code: "CONNECT_FAILED",
          retryable: true,
          address: `tls://127.0.0.1:${port}`,
          cause: expect.objectContaining({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) }),
        });
      }
    });
  }
});

describe("a TLS handshake that fails on TLS itself stays TLS_HANDSHAKE_FAILED, not retryable", () => {
  it("when no trusted CA signed the server's certificate", async () => {
    const { listener } = await echoServer(certs);
    const attempt = connectTls({ host: "127.0.0.1", port: listener.address.port });
    await expect(attempt).rejects.toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
      retryable: false,
      cause: expect.objectContaining({ code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }),
    });
  });

  it("when the server's certificate names another host", async () => {
    const { listener } = await echoServer(certs, certs.elsewhere);
    const attempt = connectTls({
      host: "localhost",
      port: listener.address.port,
      ca: certs.ca.cert,
    });
    await expect(attempt).rejects.toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
      retryable: false,
      cause: expect.objectContaining({ code: "ERR_TLS_CERT_ALTNAME_INVALID" }),
    });
  });

  it("when the server answers with a protocol_version alert", async () => {
    const old = createTlsServer({ ...certs.server, maxVersion: "TLSv1.2" }, (s) => s.destroy());
    old.on("tlsClientError", () => {});
    await new Promise<void>((done) => old.listen({ host: "127.0.0.1", port: 0 }, done));
    onTestFinished(() => new Promise<void>((done) => old.close(() => done())));
    const port = (old.address() as { port: number }).port;
    const attempt = connectTls({
      host: "127.0.0.1",
      port,
      ca: certs.ca.cert,
      minVersion: "TLSv1.3",
    });
    await expect(attempt).rejects.toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
      retryable: false,
      cause: expect.objectContaining({ code: expect.stringMatching(/PROTOCOL_VERSION/) }),
    });
  });
});
