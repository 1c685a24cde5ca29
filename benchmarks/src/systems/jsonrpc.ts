/**
 * vscode-jsonrpc over a socket (Nagle off) with its stream reader and writer: JSON-RPC 2.0 messages
 * behind `Content-Length` headers. JSON has no bytes type, so payloads travel as base64 strings, the
 * encoding any JSON-RPC application would use for binary data.
 */
import { createServer } from "node:net";
import {
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node";
import { closeSocket, connectSocket, listenOn, trackSockets } from "./net-util.js";
import type { BenchSystem, EchoClient, EchoServer, Endpoint, ListenSpec } from "./system.js";

const METHOD = "echo";

interface EchoParams {
  data: string;
}

async function startServer(listen: ListenSpec): Promise<EchoServer> {
  const connections = new Set<MessageConnection>();
  const server = createServer({ noDelay: true }, (socket) => {
    const connection = createMessageConnection(
      new StreamMessageReader(socket),
      new StreamMessageWriter(socket),
    );
    connection.onRequest(METHOD, (params: EchoParams) => params);
    connection.onClose(() => connections.delete(connection));
    socket.on("error", () => socket.destroy());
    connections.add(connection);
    connection.listen();
  });
  const closeServer = trackSockets(server);
  const endpoint = await listenOn(server, listen);
  return {
    endpoint,
    close: async () => {
      for (const connection of connections) connection.dispose();
      await closeServer();
    },
  };
}

async function createClient(endpoint: Endpoint): Promise<EchoClient> {
  const socket = await connectSocket(endpoint);
  const connection = createMessageConnection(
    new StreamMessageReader(socket),
    new StreamMessageWriter(socket),
  );
  connection.listen();
  return {
    echo: async (payload) => {
      const data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      const reply = await connection.sendRequest<EchoParams>(METHOD, {
        data: data.toString("base64"),
      });
      return Buffer.from(reply.data, "base64");
    },
    close: async () => {
      connection.dispose();
      await closeSocket(socket);
    },
  };
}

/** vscode-jsonrpc over a socket. */
export const system: BenchSystem = {
  name: "jsonrpc",
  transports: ["tcp", "unix"],
  startServer,
  createClient,
};
