import { createServer, connect as netConnect, type Socket } from "node:net";
import { generateTestCertificates } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

const certs = generateTestCertificates();
const fastReconnect = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 };

/** A relay in front of a TLS server that can shed load, as a server under pressure does. */
interface SheddingFront {
  readonly url: string;
  /** Connections that reached the front so far. */
  seen(): number;
  /** Resets the next `count` connections once their ClientHello has arrived. */
  dropNext(count: number): void;
  /** Resets every connection it relays now (a restart). */
  cut(): void;
}

/**
 * A front on 127.0.0.1 for `port` that resets the first `drops` connections once it has read their
 * ClientHello (a server shedding load or restarting), and relays the others to `port`.
 */
async function sheddingFront(port: number, drops: number): Promise<SheddingFront> {
  let seen = 0;
  let toDrop = drops;
  const relayed = new Set<Socket>();
  const front = createServer((socket: Socket) => {
    seen++;
    socket.on("error", () => {});
    if (toDrop > 0) {
      toDrop--;
      socket.once("data", () => socket.resetAndDestroy());
      return;
    }
    const upstream = netConnect({ host: "127.0.0.1", port });
    relayed.add(socket);
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => {
      relayed.delete(socket);
      upstream.destroy();
    });
    upstream.on("close", () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((done) => front.listen({ host: "127.0.0.1", port: 0 }, done));
  onTestFinished(() => {
    for (const socket of relayed) socket.destroy();
    return new Promise<void>((done) => front.close(() => done()));
  });
  const { port: frontPort } = front.address() as { port: number };
  return {
    url: `tls://127.0.0.1:${frontPort}`,
    seen: () => seen,
    dropNext: (count) => {
      toDrop = count;
    },
    cut: () => {
      for (const socket of relayed) socket.resetAndDestroy();
    },
  };
}

async function tlsServer(): Promise<number> {
  const server = await serve({
    url: "tls://127.0.0.1:0",
    contract: testContract,
    handlers: testHandlers(),
    tls: certs.server,
  });
  onTestFinished(() => server.destroy());
  return Number(new URL(server.url).port);
}

describe("a TLS handshake the server drops", () => {
  it("fails connect() with CONNECT_FAILED, retryable, not TLS_HANDSHAKE_FAILED", async () => {
    const front = await sheddingFront(await tlsServer(), Number.POSITIVE_INFINITY);
    const attempt = connect({ url: front.url, contract: testContract, tls: { ca: certs.ca.cert } });
    await expect(attempt).rejects.toMatchObject({
      code: "CONNECT_FAILED",
      retryable: true,
      cause: expect.objectContaining({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) }),
    });
  });

  it("is retried by waitForReady like a refused connect, until a handshake gets through", async () => {
    const front = await sheddingFront(await tlsServer(), 3);
    const client = await connect({
      url: front.url,
      contract: testContract,
      tls: { ca: certs.ca.cert },
      reconnect: fastReconnect,
      waitForReady: { timeoutMs: 5_000 },
    });
    onTestFinished(() => client.close());
    await expect(client.call.echo("through")).resolves.toBe("through");
    expect(front.seen()).toBe(4);
  });

  it("reports each dropped attempt of a reconnecting client as a retryable connect failure", async () => {
    const front = await sheddingFront(await tlsServer(), 0);
    const client = await connect({
      url: front.url,
      contract: testContract,
      tls: { ca: certs.ca.cert },
      reconnect: fastReconnect,
    });
    onTestFinished(() => client.close());
    const failures: Error[] = [];
    client.on("reconnecting", (_attempt, _delayMs, error) => failures.push(error));
    const reconnected = new Promise((done) => client.once("reconnect", done));
    // A restart: the live connection is reset, and the next two handshakes are dropped.
    front.dropNext(2);
    front.cut();
    await reconnected;
    await expect(client.call.echo("again")).resolves.toBe("again");
    expect(failures).toHaveLength(2);
    for (const error of failures) {
      expect(error).toMatchObject({ code: "CONNECT_FAILED", retryable: true });
    }
  });
});
