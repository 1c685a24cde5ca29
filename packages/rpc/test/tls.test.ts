import { generateTestCertificates } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

describe("serve() and connect() over tls://", () => {
  const certs = generateTestCertificates();

  it("answers a typed call over TLS with the server verified against its CA", async () => {
    const server = await serve({
      url: "tls://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
      tls: certs.server,
    });
    onTestFinished(() => server.close());
    expect(server.url).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
    const client = await connect({
      url: server.url,
      contract: testContract,
      tls: { ca: certs.ca.cert },
    });
    onTestFinished(() => client.close());
    await expect(client.call.echo("secret")).resolves.toBe("secret");
  });

  it("requires a client certificate with mutual TLS and accepts one the CA signed", async () => {
    const server = await serve({
      url: "tls://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
      tls: { ...certs.server, ca: certs.ca.cert, mutual: true },
    });
    onTestFinished(() => server.close());
    // TLS 1.3 checks the client certificate after the handshake, so the refusal ends the Hello.
    await expect(
      connect({ url: server.url, contract: testContract, tls: { ca: certs.ca.cert } }),
    ).rejects.toMatchObject({
      code: "CONNECTION_LOST",
      message: expect.stringMatching(/CERTIFICATE_REQUIRED/),
    });
    const client = await connect({
      url: server.url,
      contract: testContract,
      tls: { ca: certs.ca.cert, ...certs.client },
    });
    onTestFinished(() => client.close());
    await expect(client.call.echo("mutual")).resolves.toBe("mutual");
  });

  it("refuses a server whose certificate no trusted CA signed", async () => {
    const server = await serve({
      url: "tls://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
      tls: certs.selfSigned,
    });
    onTestFinished(() => server.close());
    await expect(
      connect({ url: server.url, contract: testContract, tls: { ca: certs.ca.cert } }),
    ).rejects.toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
    });
  });
});
