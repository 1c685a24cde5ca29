import { once } from "node:events";
import { createServer } from "node:tls";
import { generateTestCertificates } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect } from "../src/index.js";
import { testContract } from "./fixtures.js";

const certs = generateTestCertificates();

describe("the TLS probe of a tcp:// client", () => {
  it("runs once per client, however many attempts lose their connection", async () => {
    // A bare TLS server: each Parley attempt is a TLS record of a wrong version; every other
    // connection is a probe (which completes its handshake, or leaves right after it).
    const server = createServer({ cert: certs.server.cert, key: certs.server.key });
    let connections = 0;
    let attempts = 0;
    server.on("connection", () => connections++);
    server.on("secureConnection", (socket) => socket.destroy());
    server.on("tlsClientError", (e: NodeJS.ErrnoException) => {
      if (e.code === "ERR_SSL_WRONG_VERSION_NUMBER") attempts++;
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    onTestFinished(() => {
      server.close();
    });
    const { port } = server.address() as { port: number };
    const url = `tcp://127.0.0.1:${port}`;
    await expect(
      connect({
        url,
        contract: testContract,
        waitForReady: { timeoutMs: 1_500 },
        reconnect: { initialDelayMs: 20, maxDelayMs: 40 },
      }),
    ).rejects.toMatchObject({
      code: "NOT_PARLEY",
      message: expect.stringContaining(
        `the server seems to speak TLS: use tls://127.0.0.1:${port}`,
      ),
    });
    expect(attempts).toBeGreaterThan(3); // many attempts, each explained
    expect(connections - attempts).toBe(1); // one probe
  });
});
