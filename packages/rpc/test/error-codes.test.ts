import { createServer as createHttpServer } from "node:http";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

/** A raw TCP server on port 0 that does `onSocket` with each connection. */
async function rawServer(onSocket: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function refusalOf(
  url: string,
): Promise<{ code: string; message: string; detectedProtocol?: string }> {
  return connect({ url, contract: testContract, handshakeTimeoutMs: 2_000 }).then(
    () => {
      throw new Error("connected to something that is not Parley");
    },
    (error: { code: string; message: string; detectedProtocol?: string }) => error,
  );
}

describe("codes that say what happened", () => {
  it("gives NOT_PARLEY, not FRAME_TOO_LARGE, for an HTTP server, and no maxFrameBytes advice", async () => {
    const http = createHttpServer((_req, res) => res.end("hello"));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const { port } = http.address() as { port: number };
    const error = await refusalOf(`tcp://127.0.0.1:${port}`);
    expect(error).toMatchObject({ code: "NOT_PARLEY", detectedProtocol: "HTTP/1.x" });
    expect(error.message).not.toContain("maxFrameBytes");
  });

  it.each([
    ["SSH", "SSH-2.0-OpenSSH_9.6\r\n"],
    ["JSON", '{"jsonrpc":"2.0","method":"hello"}\n'],
    ["TLS", Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46])],
  ])("gives NOT_PARLEY for a server that speaks %s", async (protocol, greeting) => {
    const url = await rawServer((socket) => {
      socket.write(greeting);
      socket.resume();
    });
    const error = await refusalOf(url);
    expect(error).toMatchObject({ code: "NOT_PARLEY", detectedProtocol: protocol });
    expect(error.message).not.toContain("maxFrameBytes");
  });

  it("gives a Parley server's refuse event NOT_PARLEY for an HTTP client", async () => {
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
    });
    onTestFinished(() => server.close());
    const refused = new Promise<Error>((resolve) => server.on("refuse", (_a, e) => resolve(e)));
    const response = fetch(server.url.replace("tcp:", "http:")).catch(() => undefined);
    await expect(refused).resolves.toMatchObject({
      code: "NOT_PARLEY",
      detectedProtocol: "HTTP/1.x",
    });
    await response;
  });

  it("says the connection dropped during the handshake, not that Bye was skipped", async () => {
    const url = await rawServer((socket) => socket.end());
    const error = await refusalOf(url);
    expect(error.code).toBe("CONNECTION_LOST");
    expect(error.message).toContain("during the handshake");
    expect(error.message).not.toContain("Bye");
  });

  it("fails a call made right after close(), in the same tick, with CLIENT_CLOSED; nothing is sent", async () => {
    const counter = { calls: 0 };
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(counter),
    });
    onTestFinished(() => server.close());
    const client = await connect({ url: server.url, contract: testContract });
    const closing = client.close();
    const late = client.call.count(null);
    await expect(late).rejects.toMatchObject({ code: "CLIENT_CLOSED", notExecuted: true });
    await closing;
    expect(counter.calls).toBe(0);
  });

  it("says CONNECTION_LOST, not CLIENT_CLOSED, for a call after the server died (reconnect off)", async () => {
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
    });
    const client = await connect({ url: server.url, contract: testContract });
    onTestFinished(() => client.close());
    server.destroy();
    await client.closed;
    expect(client.state).toBe("failed");
    const error = (await client.call.echo("x").catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: "CONNECTION_LOST", notExecuted: true });
    expect(error.message).toContain("reconnect is off");
  });
});
