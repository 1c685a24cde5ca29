/**
 * The ceiling: raw node:net with a 4-byte length prefix and batched writes, nothing else. Responses
 * pair with requests by order (the server answers in order on one connection), so there is no id, no
 * codec and no validation: every other system is also reported as a ratio to this one.
 */
import { createServer, type Socket } from "node:net";
import { Fifo, type Settler } from "./fifo.js";
import { LengthPrefixDecoder, lengthPrefix } from "./length-prefix.js";
import { closeSocket, connectSocket, listenOn, trackSockets } from "./net-util.js";
import type { BenchSystem, EchoClient, EchoServer, Endpoint, ListenSpec } from "./system.js";

async function startServer(listen: ListenSpec): Promise<EchoServer> {
  const server = createServer({ noDelay: true }, (socket) => {
    // Every frame decoded from one chunk is answered in one corked write.
    const decoder = new LengthPrefixDecoder((frame) => {
      socket.write(lengthPrefix(frame.length));
      socket.write(frame);
    });
    socket.on("data", (chunk: Buffer) => {
      socket.cork();
      try {
        decoder.push(chunk);
      } catch {
        socket.destroy();
      }
      socket.uncork();
    });
    socket.on("error", () => socket.destroy());
  });
  const close = trackSockets(server);
  const endpoint = await listenOn(server, listen);
  return { endpoint, close };
}

class RawClient implements EchoClient {
  private readonly pending = new Fifo<Settler<Uint8Array>>();
  private corked = false;
  private failure: Error | undefined;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(private readonly socket: Socket) {
    const decoder = new LengthPrefixDecoder((frame) => this.pending.shift()?.resolve(frame));
    socket.on("data", (chunk: Buffer) => decoder.push(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("connection closed")));
  }

  echo(payload: Uint8Array): Promise<Uint8Array> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      // Every request issued in one event-loop turn leaves in one write.
      if (!this.corked) {
        this.corked = true;
        this.socket.cork();
        process.nextTick(this.uncork);
      }
      this.socket.write(lengthPrefix(payload.byteLength));
      this.socket.write(payload);
    });
  }

  close(): Promise<void> {
    return closeSocket(this.socket);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const settler of this.pending.drain()) settler.reject(error);
  }
}

/** Connects the promise client (also used alone by the micro benchmarks). */
export async function createRawClient(endpoint: Endpoint): Promise<EchoClient> {
  return new RawClient(await connectSocket(endpoint));
}

/** Raw node:net with length-prefix framing and corked writes. */
export const system: BenchSystem = {
  name: "raw",
  transports: ["tcp", "unix"],
  startServer,
  createClient: createRawClient,
};
