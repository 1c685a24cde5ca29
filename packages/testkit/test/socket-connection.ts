import { rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Connection, ConnectionHandlers } from "@parley/framing";
import type { ChaosAddress, ConformanceTarget } from "../src/index.js";
import { resetSocket } from "../src/socket-reset.js";

/**
 * A bare `Connection` over a node:net socket, only for checking that the conformance suite holds
 * on real kernels before the real transports adopt it. It is deliberately minimal.
 */
class SocketConnection implements Connection {
  #error: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly isTcp: boolean,
  ) {
    socket.on("error", (error) => {
      this.#error ??= error;
    });
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }
  get remoteAddress(): string {
    return `${this.socket.remoteAddress ?? "unix"}:${this.socket.remotePort ?? ""}`;
  }
  get localAddress(): string {
    return `${this.socket.localAddress ?? "unix"}:${this.socket.localPort ?? ""}`;
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.socket.writableEnded || this.socket.destroyed) return false;
    this.socket.cork();
    let accepted = true;
    for (const chunk of chunks) accepted = this.socket.write(chunk);
    this.socket.uncork();
    return accepted;
  }

  end(): void {
    if (!this.socket.writableEnded && !this.socket.destroyed) this.socket.end();
  }

  reset(error?: Error): void {
    if (this.socket.destroyed) return;
    this.#error = error;
    resetSocket(this.socket, this.isTcp);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  attach(handlers: ConnectionHandlers): void {
    this.socket.on("data", (chunk: Buffer) => handlers.onData(chunk));
    this.socket.on("end", () => handlers.onEnd());
    this.socket.on("drain", () => handlers.onDrain());
    this.socket.on("close", () => handlers.onClose(this.#error));
  }
}

/** A conformance target over real sockets: TCP on 127.0.0.1, or a Unix socket path. */
export function socketTarget(
  name: string,
  listen: { port: 0 } | { path: string },
  options: {
    via?: (address: ChaosAddress) => Promise<ChaosAddress>;
  } & Partial<ConformanceTarget> = {},
): ConformanceTarget {
  const isTcp = !("path" in listen);
  let server: Server | undefined;
  let address: ChaosAddress | undefined;
  const accepted: Socket[] = [];
  const start = async () => {
    const listening = createServer({ allowHalfOpen: true }, (socket) => accepted.push(socket));
    if (!isTcp) rmSync(listen.path, { force: true });
    await new Promise<void>((resolve) =>
      isTcp ? listening.listen(0, "127.0.0.1", resolve) : listening.listen(listen.path, resolve),
    );
    const bound = listening.address();
    server = listening;
    const direct: ChaosAddress =
      typeof bound === "string" || bound === null
        ? { path: bound ?? "" }
        : { host: bound.address, port: bound.port };
    address = options.via ? await options.via(direct) : direct;
    return address;
  };
  return {
    ...options,
    name,
    resetIsVisibleToPeer: isTcp,
    async openPair() {
      const target = address ?? (await start());
      const socket = connect({ ...target, allowHalfOpen: true });
      await new Promise((resolve) => socket.once("connect", resolve));
      while (accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      const peer = accepted.shift()!;
      return {
        client: new SocketConnection(socket, !("path" in target)),
        server: new SocketConnection(peer, isTcp),
        async close() {
          await Promise.all([socket, peer].map(destroyAndWait));
        },
      };
    },
    async teardown() {
      await options.teardown?.();
      const listening = server;
      server = undefined;
      address = undefined;
      if (listening) await new Promise((resolve) => listening.close(resolve));
    },
  };
}

function destroyAndWait(socket: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once("close", () => resolve());
    socket.destroy();
  });
}
