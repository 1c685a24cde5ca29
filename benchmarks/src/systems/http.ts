/**
 * HTTP/1.1 keep-alive: an undici Pool against node:http, POST /echo with the payload as the body.
 * HTTP/1.1 runs one request per connection at a time, so the pool opens one connection per
 * concurrent request, which is how HTTP/1.1 clients reach concurrency (pipelining stays off, as
 * every browser and most servers leave it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Pool } from "undici";
import { listenOn, trackSockets } from "./net-util.js";
import type { BenchSystem, EchoClient, EchoServer, Endpoint, ListenSpec } from "./system.js";

const KEEP_ALIVE_MS = 60_000;

function echoHandler(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  let length = 0;
  request.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
  });
  request.on("end", () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
    response.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": body.length,
    });
    response.end(body);
  });
}

async function startServer(listen: ListenSpec): Promise<EchoServer> {
  const server = createServer({ noDelay: true, keepAliveTimeout: KEEP_ALIVE_MS }, echoHandler);
  server.maxRequestsPerSocket = 0;
  const close = trackSockets(server);
  const endpoint = await listenOn(server, listen, "http");
  return { endpoint, close };
}

async function createClient(
  endpoint: Endpoint,
  hints: { concurrency: number },
): Promise<EchoClient> {
  const options = {
    connections: hints.concurrency,
    pipelining: 1,
    keepAliveTimeout: KEEP_ALIVE_MS,
  };
  const pool =
    endpoint.transport === "tcp"
      ? new Pool(`http://${endpoint.host}:${endpoint.port}`, options)
      : new Pool("http://localhost", { ...options, socketPath: endpoint.path });
  const headers = { "content-type": "application/octet-stream" };
  return {
    echo: async (payload) => {
      const response = await pool.request({
        path: "/echo",
        method: "POST",
        body: payload,
        headers,
      });
      const body = new Uint8Array(await response.body.arrayBuffer());
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
      return body;
    },
    close: () => pool.close(),
  };
}

/** HTTP/1.1 keep-alive, undici Pool against node:http. */
export const system: BenchSystem = {
  name: "http",
  transports: ["tcp", "unix"],
  startServer,
  createClient,
};
