import { connect, createServer, type Server, type Socket } from "node:net";
import { onTestFinished } from "vitest";
import type { ChaosAddress } from "../src/index.js";

/** Records what a raw socket receives and how it ends, with waits that fail instead of hanging. */
export class SocketProbe {
  readonly chunks: Buffer[] = [];
  ended = false;
  closed = false;
  error: (Error & { code?: string }) | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.#update(() => this.chunks.push(chunk)));
    socket.on("end", () => this.#update(() => (this.ended = true)));
    socket.on("error", (error) => this.#update(() => (this.error = error)));
    socket.on("close", () => this.#update(() => (this.closed = true)));
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  whenBytes(count: number): Promise<Buffer> {
    return this.#until(`${count} bytes`, () => this.received.length >= count).then(
      () => this.received,
    );
  }

  whenEnded(): Promise<void> {
    return this.#until("end", () => this.ended);
  }

  whenClosed(): Promise<(Error & { code?: string }) | undefined> {
    return this.#until("close", () => this.closed).then(() => this.error);
  }

  #update(change: () => unknown): void {
    change();
    for (const waiter of this.#waiters) waiter();
  }

  #until(what: string, done: () => boolean, timeoutMs = 5_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `socket: no ${what} within ${timeoutMs} ms (got ${this.received.length} bytes)`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }
}

/** A real echo server: writes back what it reads, ends when its client ends. */
export interface EchoServer {
  readonly address: ChaosAddress;
  /** Probes of the server side of each accepted connection, in accept order. */
  readonly accepted: SocketProbe[];
  close(): Promise<void>;
}

export async function startEchoServer(listen: { path: string } | { port: 0 } = { port: 0 }) {
  const accepted: SocketProbe[] = [];
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const probe = new SocketProbe(socket);
    accepted.push(probe);
    socket.on("data", (chunk: Buffer) => socket.write(chunk));
    socket.on("end", () => socket.end());
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) =>
    "path" in listen ? server.listen(listen.path, resolve) : server.listen(0, "127.0.0.1", resolve),
  );
  const bound = server.address();
  const address: ChaosAddress =
    typeof bound === "string" || bound === null
      ? { path: bound ?? "" }
      : { host: bound.address, port: bound.port };
  const echo: EchoServer = {
    address,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const probe of accepted) probe.socket.destroy();
        server.close(() => resolve());
      }),
  };
  return echo;
}

/** Connects a raw socket to `address` and waits for the connection. */
export async function connectTo(address: ChaosAddress): Promise<SocketProbe> {
  const socket = connect({ ...address, allowHalfOpen: true });
  onTestFinished(() => {
    socket.destroy();
  });
  const probe = new SocketProbe(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return probe;
}

/** Waits until `check()` holds, polling once per event-loop turn; fails after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 5_000) {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
