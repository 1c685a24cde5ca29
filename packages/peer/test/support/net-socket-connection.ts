/**
 * A tiny Connection over a node:net socket, for tests only: the engine never imports node:net (the
 * real transports live in @parley/transport-net). One corked batch per write; half-open sockets so
 * that a FIN only closes one direction.
 */
import { once } from "node:events";
import { rmSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import type { Connection, ConnectionHandlers } from "@parley/framing";

export class NetSocketConnection implements Connection {
  private error: Error | undefined;
  readonly remoteAddress: string;
  readonly localAddress: string;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay?.(true);
    this.remoteAddress = `${socket.remoteAddress ?? "unix"}:${socket.remotePort ?? ""}`;
    this.localAddress = `${socket.localAddress ?? "unix"}:${socket.localPort ?? ""}`;
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    this.socket.cork();
    let ok = true;
    for (const chunk of chunks) ok = this.socket.write(chunk);
    this.socket.uncork();
    return ok;
  }

  end(): void {
    if (!this.socket.writableEnded) this.socket.end();
  }

  reset(error?: Error): void {
    this.error ??= error;
    if (this.socket.remotePort !== undefined) this.socket.resetAndDestroy();
    else this.socket.destroy();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  attach(h: ConnectionHandlers): void {
    this.socket.on("data", h.onData);
    this.socket.on("end", h.onEnd);
    this.socket.on("drain", h.onDrain);
    this.socket.on("error", (error) => {
      this.error ??= error;
    });
    this.socket.on("close", (hadError) =>
      h.onClose(hadError || this.error ? this.error : undefined),
    );
  }
}

/** A listening server and a connected socket pair over TCP (port 0) or a Unix socket under /tmp. */
export async function socketPair(kind: "tcp" | "unix"): Promise<{
  client: Socket;
  server: Socket;
  listener: Server;
  cleanup: () => Promise<void>;
}> {
  const path = `/tmp/parley-peer-${process.pid}-${Math.random().toString(36).slice(2, 8)}.sock`;
  const listener = createServer({ allowHalfOpen: true });
  listener.listen(kind === "tcp" ? { port: 0, host: "127.0.0.1" } : { path });
  await once(listener, "listening");
  const accepted = once(listener, "connection") as Promise<[Socket]>;
  const client =
    kind === "tcp"
      ? connect({
          port: (listener.address() as AddressInfo).port,
          host: "127.0.0.1",
          allowHalfOpen: true,
        })
      : connect({ path, allowHalfOpen: true });
  await once(client, "connect");
  const [server] = await accepted;
  const closed = (socket: Socket) => (socket.closed ? Promise.resolve() : once(socket, "close"));
  const cleanup = async () => {
    client.destroy();
    server.destroy();
    listener.close();
    await Promise.all([once(listener, "close"), closed(client), closed(server)]);
    if (kind === "unix") rmSync(path, { force: true });
  };
  return { client, server, listener, cleanup };
}
