/**
 * @grpc/grpc-js unary calls over one channel, with pass-through serializers so that no protobuf work
 * is counted: what is measured is grpc-js's HTTP/2 framing, call objects and metadata handling.
 */

import { rmSync } from "node:fs";
import {
  Client,
  credentials,
  Server,
  ServerCredentials,
  type ServiceDefinition,
} from "@grpc/grpc-js";
import type { BenchSystem, EchoClient, EchoServer, Endpoint, ListenSpec } from "./system.js";
import { tcpEndpoint, unixEndpoint } from "./system.js";

const METHOD_PATH = "/parley.bench.Bench/Echo";
const passThrough = (value: Buffer): Buffer => value;

// 256 calls of 64 KiB in flight exceed grpc-js's default 10 MB per-session budget; a deployment
// moving payloads this large would raise it too.
const CHANNEL_OPTIONS = { "grpc-node.max_session_memory": 256 * 1024 * 1024 };

const SERVICE: ServiceDefinition = {
  echo: {
    path: METHOD_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
};

async function startServer(listen: ListenSpec): Promise<EchoServer> {
  const server = new Server(CHANNEL_OPTIONS);
  server.addService(SERVICE, {
    echo: (call: { request: Buffer }, callback: (error: null, value: Buffer) => void) =>
      callback(null, call.request),
  });
  if (listen.transport === "unix") rmSync(listen.path, { force: true });
  const target = listen.transport === "tcp" ? `${listen.host}:0` : `unix:${listen.path}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(target, ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );
  const endpoint =
    listen.transport === "tcp"
      ? tcpEndpoint(listen.host, port, "grpc")
      : unixEndpoint(listen.path, "unix");
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2_000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return { endpoint, close };
}

async function createClient(endpoint: Endpoint): Promise<EchoClient> {
  const target =
    endpoint.transport === "tcp" ? `${endpoint.host}:${endpoint.port}` : `unix:${endpoint.path}`;
  const client = new Client(target, credentials.createInsecure(), CHANNEL_OPTIONS);
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
  );
  return {
    echo: (payload) =>
      new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          METHOD_PATH,
          (value: Uint8Array) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
          passThrough,
          payload,
          (error, value) =>
            error || value === undefined ? reject(error ?? new Error("empty")) : resolve(value),
        );
      }),
    close: async () => client.close(),
  };
}

/** @grpc/grpc-js unary calls, Buffer pass-through serializers. */
export const system: BenchSystem = {
  name: "grpc",
  transports: ["tcp", "unix"],
  startServer,
  createClient,
};
