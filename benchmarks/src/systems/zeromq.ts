/**
 * zeromq DEALER (client) to ROUTER (server), over TCP and ipc:// (a Unix socket). One DEALER carries
 * every in-flight request; the ROUTER answers in order, so responses pair with requests by order.
 * zeromq.js allows one pending send per socket, so the client queues sends and pumps them.
 */
import { rmSync } from "node:fs";
import { Dealer, Router } from "zeromq";
import { Fifo, type Settler } from "./fifo.js";
import type { BenchSystem, EchoClient, EchoServer, Endpoint, ListenSpec } from "./system.js";
import { tcpEndpoint, unixEndpoint } from "./system.js";

async function startServer(listen: ListenSpec): Promise<EchoServer> {
  const router = new Router({ linger: 0 });
  if (listen.transport === "unix") rmSync(listen.path, { force: true });
  await router.bind(listen.transport === "tcp" ? `tcp://${listen.host}:*` : `ipc://${listen.path}`);
  const bound = router.lastEndpoint ?? "";
  const port = Number(bound.slice(bound.lastIndexOf(":") + 1));
  const endpoint =
    listen.transport === "tcp" ? tcpEndpoint(listen.host, port) : unixEndpoint(listen.path, "ipc");
  const loop = (async () => {
    try {
      for await (const [identity, body] of router) {
        if (identity !== undefined && body !== undefined) await router.send([identity, body]);
      }
    } catch {
      // closing the socket ends the loop with an error; nothing to report
    }
  })();
  return {
    endpoint,
    close: async () => {
      router.close();
      await loop;
      // libzmq leaves the ipc:// socket file behind.
      if (listen.transport === "unix") rmSync(listen.path, { force: true });
    },
  };
}

class ZeromqClient implements EchoClient {
  private readonly pending = new Fifo<Settler<Uint8Array>>();
  private readonly outbox = new Fifo<Uint8Array>();
  private pumping = false;
  private failure: Error | undefined;

  constructor(private readonly dealer: Dealer) {
    void this.receive();
  }

  echo(payload: Uint8Array): Promise<Uint8Array> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.outbox.push(payload);
      if (!this.pumping) void this.pump();
    });
  }

  async close(): Promise<void> {
    this.fail(new Error("client closed"));
    this.dealer.close();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (let next = this.outbox.shift(); next !== undefined; next = this.outbox.shift()) {
        await this.dealer.send(next);
      }
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.pumping = false;
    }
  }

  private async receive(): Promise<void> {
    try {
      for await (const [body] of this.dealer) {
        if (body !== undefined) this.pending.shift()?.resolve(body);
      }
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const settler of this.pending.drain()) settler.reject(error);
  }
}

async function createClient(endpoint: Endpoint): Promise<EchoClient> {
  const dealer = new Dealer({ linger: 0 });
  dealer.connect(
    endpoint.transport === "tcp"
      ? `tcp://${endpoint.host}:${endpoint.port}`
      : `ipc://${endpoint.path}`,
  );
  return new ZeromqClient(dealer);
}

/** zeromq DEALER/ROUTER. */
export const system: BenchSystem = {
  name: "zeromq",
  transports: ["tcp", "unix"],
  startServer,
  createClient,
};
