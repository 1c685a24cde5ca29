import { rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { connect as netConnect } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";
import { exited, spawnScript } from "./processes/spawn.js";

async function startServer(
  url: string,
  counter: { calls: number; aborted?: number } = { calls: 0 },
) {
  const server = await serve({ url, contract: testContract, handlers: testHandlers(counter) });
  onTestFinished(() => server.close());
  return server;
}

/** Sends raw bytes to a Parley server and resolves with the reason the server gives for refusing. */
async function refusalFor(bytes: Buffer): Promise<Error> {
  const server = await startServer("tcp://127.0.0.1:0");
  const refused = new Promise<Error>((resolve) =>
    server.on("refuse", (_address, error) => resolve(error)),
  );
  const port = Number(new URL(server.url).port);
  const socket = netConnect({ host: "127.0.0.1", port }, () => socket.write(bytes));
  socket.on("error", () => {});
  onTestFinished(() => {
    socket.destroy();
  });
  return refused;
}

describe("bad addresses", () => {
  it("fails fast with CONNECT_REFUSED when nothing listens on the port", async () => {
    const probe = await startServer("tcp://127.0.0.1:0");
    const url = probe.url;
    await probe.close();
    await expect(connect({ url, contract: testContract })).rejects.toMatchObject({
      code: "CONNECT_REFUSED",
      retryable: true,
    });
  });

  it("fails with CONNECT_REFUSED (or not found) when no socket file exists at the path", async () => {
    await expect(
      connect({ url: `unix://${tempSocketPath()}`, contract: testContract }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/^CONNECT_(REFUSED|NOT_FOUND)$/),
    });
  });

  it("refuses to listen on a path that is a regular file, and leaves the file alone", async () => {
    const path = tempSocketPath();
    writeFileSync(path, "not a socket");
    onTestFinished(() => rmSync(path, { force: true }));
    await expect(
      serve({ url: `unix://${path}`, contract: testContract, handlers: testHandlers() }),
    ).rejects.toMatchObject({
      code: "UNIX_PATH_NOT_SOCKET",
    });
  });
});

describe("a peer that speaks another protocol", () => {
  it("tells the server's user that an HTTP client knocked on a Parley port", async () => {
    const error = await refusalFor(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    expect(error.message).toMatch(/HTTP/);
    expect((error as { code?: string }).code).toBeDefined();
  });

  it("tells the server's user that a TLS client knocked on a plain Parley port", async () => {
    const clientHello = Buffer.from([
      0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03,
    ]);
    const error = await refusalFor(clientHello);
    expect(error.message).toMatch(/TLS/);
  });

  it("tells a Parley client that it reached an HTTP server", async () => {
    const http = createHttpServer((_req, res) => res.end("hello"));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const { port } = http.address() as { port: number };
    await expect(
      connect({
        url: `tcp://127.0.0.1:${port}`,
        contract: testContract,
        handshakeTimeoutMs: 2_000,
      }),
    ).rejects.toThrow(/HTTP/);
  });
});

describe("processes that die", () => {
  it("frees everything on the server when a client is killed with SIGKILL mid-call", async () => {
    const counter = { calls: 0, aborted: 0 };
    const server = await startServer(`unix://${tempSocketPath()}`, counter);
    const gone = new Promise<string>((resolve) =>
      server.on("disconnect", (_c, info) => resolve(info.reason)),
    );
    const { child } = await spawnScript("child-client.ts", [server.url]);
    while (counter.calls === 0) await new Promise((r) => setTimeout(r, 10));
    expect(server.connections).toHaveLength(1);
    child.kill("SIGKILL");
    await exited(child);
    await expect(gone).resolves.toMatch(/^(abort|error)$/);
    expect(server.connections).toHaveLength(0);
    // The orphaned handler was told to stop: its AbortSignal fired when the connection died.
    expect(counter.aborted).toBe(1);
  });

  it("settles every client call when the server is killed with SIGKILL", async () => {
    const { child, firstLine: url } = await spawnScript("child-server.ts", []);
    const client = await connect({ url, contract: testContract });
    onTestFinished(() => client.close());
    const calls = Array.from({ length: 50 }, () =>
      client.call.slow({ ms: 30_000 }, { timeoutMs: 60_000 }),
    );
    const settled = Promise.allSettled(calls);
    await client.call.echo("all sent");
    child.kill("SIGKILL");
    const results = await settled;
    expect(
      results.map((r) => r.status === "rejected" && (r.reason as { code: string }).code),
    ).toEqual(Array(50).fill("CONNECTION_LOST"));
    await expect(client.closed).resolves.toMatchObject({ initiator: "remote" });
  });

  it("keeps serving live connections when its socket file is deleted, and closes cleanly", async () => {
    const path = tempSocketPath();
    const server = await serve({
      url: `unix://${path}`,
      contract: testContract,
      handlers: testHandlers(),
    });
    const client = await connect({ url: server.url, contract: testContract });
    unlinkSync(path);
    await expect(client.call.echo("still here")).resolves.toBe("still here");
    await client.close();
    await expect(server.close()).resolves.toBeUndefined();
  });
});
