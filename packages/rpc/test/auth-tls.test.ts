import { connect as tlsConnect, createServer as tlsServer } from "node:tls";
import { generateTestCertificates } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

const SECRET = "tls-shared-secret-5e7f9b1d3e5a2b4d";
const certs = generateTestCertificates();

async function tlsServerWithSecret(options: Record<string, unknown> = {}) {
  const server = await serve({
    url: "tls://127.0.0.1:0",
    contract: testContract,
    handlers: testHandlers(),
    tls: certs.server,
    authSecrets: SECRET,
    ...options,
  });
  onTestFinished(() => server.destroy());
  return { server, port: Number(server.url.split(":").pop()) };
}

/**
 * A TLS-terminating proxy, as a load balancer would be: it ends the client's TLS session with the
 * server certificate and opens its own to the server. Each side then has a different session.
 */
async function terminatingProxy(port: number): Promise<number> {
  const proxy = tlsServer({ ...certs.server }, (inbound) => {
    const outbound = tlsConnect({
      host: "127.0.0.1",
      port,
      ca: certs.ca.cert,
      servername: "localhost",
    });
    inbound.pipe(outbound).pipe(inbound);
    for (const socket of [inbound, outbound]) {
      socket.on("error", () => {
        inbound.destroy();
        outbound.destroy();
      });
      socket.on("close", () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
  return (proxy.address() as { port: number }).port;
}

describe("shared-secret proofs over tls://", () => {
  it("connects when both sides prove the secret over one TLS session (bound to it)", async () => {
    const { server } = await tlsServerWithSecret();
    const client = await connect({
      url: server.url,
      contract: testContract,
      tls: { ca: certs.ca.cert },
      authSecrets: SECRET,
    });
    onTestFinished(() => client.close());
    await expect(client.call.echo("bound")).resolves.toBe("bound");
  });

  it("refuses through a TLS-terminating proxy (two sessions), and connects with binding off on both sides", async () => {
    const { port } = await tlsServerWithSecret();
    const proxyPort = await terminatingProxy(port);
    await expect(
      connect({
        url: `tls://127.0.0.1:${proxyPort}`,
        contract: testContract,
        tls: { ca: certs.ca.cert },
        authSecrets: SECRET,
      }),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const { port: unbound } = await tlsServerWithSecret({ authChannelBinding: false });
    const client = await connect({
      url: `tls://127.0.0.1:${await terminatingProxy(unbound)}`,
      contract: testContract,
      tls: { ca: certs.ca.cert },
      authSecrets: SECRET,
      authChannelBinding: false,
    });
    onTestFinished(() => client.close());
    await expect(client.call.echo("through the proxy")).resolves.toBe("through the proxy");
  });
});
