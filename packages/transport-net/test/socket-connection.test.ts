import { connect, type Socket } from "node:net";
import {
  expectNoLeakedHandles,
  type HandleSnapshot,
  recordConnection,
  snapshotHandles,
} from "@parley/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenTcp, SocketConnection, type TcpListener } from "../src/index.js";
import { hostPort } from "../src/socket-connection.js";
import { noise, tcpPair, turns, unixPair } from "./helpers/sockets.js";

let before: HandleSnapshot;
beforeAll(() => {
  before = snapshotHandles();
});
afterAll(() => expectNoLeakedHandles(before));

interface WritevCall {
  chunks: { chunk: Buffer; callback: () => void }[];
}

/** Records the batches the socket hands to its `_writev` (one call = one system write). */
function spyWritev(socket: Socket): WritevCall[] {
  const calls: WritevCall[] = [];
  const target = socket as unknown as {
    _writev(chunks: WritevCall["chunks"], callback: (error?: Error) => void): void;
  };
  const original = target._writev.bind(socket);
  target._writev = (chunks, callback) => {
    calls.push({ chunks: [...chunks] });
    original(chunks, callback);
  };
  return calls;
}

/** A TCP listener whose first accepted connection is handed out unattached. */
async function rawTcpListener(): Promise<{
  listener: TcpListener;
  accepted: Promise<SocketConnection>;
}> {
  let accept: (connection: SocketConnection) => void = () => {};
  const accepted = new Promise<SocketConnection>((resolve) => {
    accept = resolve;
  });
  const listener = await listenTcp({}, (connection) => accept(connection));
  return { listener, accepted };
}

describe("SocketConnection", () => {
  it("delivers bytes and an end of stream that arrived before attach(), in order", async () => {
    const { client, server } = await tcpPair();
    recordConnection(client);
    const payload = noise(3000, 1);
    client.write([payload]);
    client.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const atServer = recordConnection(server);
    await atServer.whenEnded();
    expect(atServer.received().equals(payload)).toBe(true);
    expect(atServer.events.at(-1)?.type).toBe("end");
  });

  it("replays a close that happened before attach(): onEnd, then onClose without an error", async () => {
    const { client, server } = await tcpPair();
    const atClient = recordConnection(client, { onEnd: (c) => c.end() });
    server.end();
    // The client ends in reply: the server's socket closes completely before anyone attaches it.
    for (let i = 0; i < 200 && !server.closed; i++) await turns(1);
    expect(server.closed).toBe(true);
    const atServer = recordConnection(server);
    expect(await atServer.whenClosed()).toBeUndefined();
    expect(atServer.events.map((e) => e.type)).toEqual(["end", "close"]);
    expect(await atClient.whenClosed()).toBeUndefined();
  });

  it("reports a reset that happened before attach() with CONNECTION_RESET once attached", async () => {
    const { client, server } = await tcpPair();
    client.reset();
    for (let i = 0; i < 200 && !server.closed; i++) await turns(1);
    const error = await recordConnection(server).whenClosed();
    expect((error as { code?: string }).code).toBe("CONNECTION_RESET");
    expect((error as { retryable?: boolean }).retryable).toBe(true);
  });

  it("hands one write's chunks to the socket as one writev, without copying them or a callback", async () => {
    const { client, server } = await tcpPair();
    const atServer = recordConnection(server);
    recordConnection(client);
    const calls = spyWritev(client.socket);
    const chunks = [noise(10, 2), new Uint8Array(0), noise(2000, 3).subarray(5, 1500), noise(7, 4)];
    client.write(chunks);
    await atServer.whenBytes(10 + 1495 + 7);
    expect(calls).toHaveLength(1);
    const written = calls[0]!.chunks.map((entry) => entry.chunk);
    expect(written).toHaveLength(3); // the empty chunk is skipped
    const nonEmpty = chunks.filter((chunk) => chunk.byteLength > 0);
    for (const [i, chunk] of written.entries()) {
      expect(chunk.buffer).toBe(nonEmpty[i]!.buffer);
      expect(chunk.byteOffset).toBe(nonEmpty[i]!.byteOffset);
    }
    expect(atServer.received().equals(Buffer.concat(nonEmpty))).toBe(true);
    // Node's own no-op: any real callback would cost a closure and a tick per write.
    expect(calls[0]!.chunks.map((entry) => entry.callback.name)).toEqual(["nop", "nop", "nop"]);
  });

  it("returns true from write() when the batch leaves the buffer below the high-water mark", async () => {
    const { client, server } = await tcpPair();
    const atServer = recordConnection(server);
    recordConnection(client);
    expect(client.write([noise(100, 5)])).toBe(true);
    await atServer.whenBytes(100);
    expect(client.bufferedBytes).toBe(0);
  });

  it("returns false from write() at the high-water mark, then fires onDrain once below it", async () => {
    const { client, server } = await tcpPair();
    const atServer = recordConnection(server);
    const seenAtDrain: number[] = [];
    const atClient = recordConnection(client, {
      onDrain: (c) => seenAtDrain.push(c.bufferedBytes),
    });
    // More than the kernel's buffers take at once, so the rest waits in user space.
    const big = noise(16 * 1024 * 1024, 6);
    expect(client.write([big])).toBe(false);
    expect(client.bufferedBytes).toBeGreaterThanOrEqual(client.highWaterMarkBytes);
    await atClient.whenDrained(1, 10_000);
    expect(seenAtDrain[0]).toBeLessThan(client.highWaterMarkBytes);
    await atServer.whenBytes(big.length, 10_000);
    expect(atClient.counts.drains).toBe(1);
  });

  it("returns false exactly when bufferedBytes reaches highWaterMarkBytes, then fires onDrain", async () => {
    const { listener, accepted } = await rawTcpListener();
    // Writes to a socket still connecting wait in user space: bufferedBytes is exact.
    const connection = new SocketConnection(
      connect({ host: "127.0.0.1", port: listener.address.port }),
      {
        highWaterMarkBytes: 100,
      },
    );
    const atClient = recordConnection(connection);
    expect(connection.write([noise(60, 7), noise(39, 8)])).toBe(true);
    expect(connection.bufferedBytes).toBe(99);
    expect(connection.write([noise(1, 9)])).toBe(false);
    expect(connection.bufferedBytes).toBe(100);
    await atClient.whenDrained(1);
    expect(connection.bufferedBytes).toBeLessThan(100);
    const atServer = recordConnection(await accepted);
    await atServer.whenBytes(100);
    connection.reset();
    await atClient.whenClosed();
    await listener.destroy();
  });

  it("drops writes after end() and returns false, without an error", async () => {
    const { client, server } = await tcpPair();
    const atServer = recordConnection(server, { onEnd: (c) => c.end() });
    const atClient = recordConnection(client);
    client.write([noise(10, 9)]);
    client.end();
    expect(client.write([noise(10, 10)])).toBe(false);
    await atServer.whenEnded();
    expect(atServer.receivedBytes).toBe(10);
    expect(await atClient.whenClosed()).toBeUndefined();
  });

  it("reset() on TCP sends an RST: its own onClose gets the given error, the peer CONNECTION_RESET", async () => {
    const { client, server } = await tcpPair();
    const atServer = recordConnection(server);
    const atClient = recordConnection(client);
    client.write([noise(100, 11)]);
    await atServer.whenBytes(100);
    const reason = new Error("aborted by the test");
    client.reset(reason);
    expect(await atClient.whenClosed()).toBe(reason);
    const seen = await atServer.whenClosed();
    expect((seen as { code?: string }).code).toBe("CONNECTION_RESET");
    expect(((seen as Error).cause as { code?: string }).code).toBe("ECONNRESET");
    expect(atServer.counts.ends).toBe(0);
  });

  it("reset() on a Unix socket destroys it (Unix sockets have no RST): the peer sees an end", async () => {
    const { client, server } = await unixPair();
    const atServer = recordConnection(server, { onEnd: (c) => c.end() });
    const atClient = recordConnection(client);
    expect(client.kind).toBe("unix");
    client.reset();
    expect(await atClient.whenClosed()).toBeUndefined();
    await atServer.whenEnded();
    expect(await atServer.whenClosed()).toBeUndefined();
  });

  it("keeps a wrapped socket half-open even if it was created without allowHalfOpen", async () => {
    const { listener, accepted } = await rawTcpListener();
    const raw = connect({ host: "127.0.0.1", port: listener.address.port });
    await new Promise((resolve) => raw.once("connect", resolve));
    const client = new SocketConnection(raw);
    const server = await accepted;
    const atServer = recordConnection(server);
    const atClient = recordConnection(client);
    server.end();
    await atClient.whenEnded();
    // After the server's FIN the client may still send: its side of the stream is still open.
    await turns(5);
    expect(client.write([noise(100, 13)])).toBe(true);
    await atServer.whenBytes(100);
    client.end();
    expect(await atClient.whenClosed()).toBeUndefined();
    expect(await atServer.whenClosed()).toBeUndefined();
    await listener.close();
  });

  it("pause() holds onData back until resume()", async () => {
    const { client, server } = await tcpPair();
    server.pause();
    const atServer = recordConnection(server);
    recordConnection(client);
    client.write([noise(500, 12)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(atServer.receivedBytes).toBe(0);
    server.resume();
    await atServer.whenBytes(500);
  });

  it("throws ALREADY_ATTACHED on a second attach()", async () => {
    const { client } = await tcpPair();
    recordConnection(client);
    expect(() => recordConnection(client)).toThrow(
      expect.objectContaining({ code: "ALREADY_ATTACHED" }),
    );
  });

  it("describes both ends of a TCP connection as host:port", async () => {
    const { client, server } = await tcpPair();
    expect(client.remoteAddress).toBe(server.localAddress);
    expect(client.localAddress).toBe(server.remoteAddress);
    expect(client.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(hostPort("::1", 7000)).toBe("[::1]:7000");
    expect(hostPort(undefined, undefined)).toBe("unknown");
  });

  it("detects the kind of a socket it wraps: tcp with a port, unix without", async () => {
    const { listener } = await rawTcpListener();
    const tcp = connect({ host: "127.0.0.1", port: listener.address.port });
    await new Promise((resolve) => tcp.once("connect", resolve));
    expect(new SocketConnection(tcp).kind).toBe("tcp");
    tcp.destroy();
    const { client: unixClient } = await unixPair();
    const raw = connect({ path: unixClient.remoteAddress });
    await new Promise((resolve) => raw.once("connect", resolve));
    expect(new SocketConnection(raw).kind).toBe("unix");
    raw.destroy();
    await listener.destroy();
  });

  it("rejects a bad option with INVALID_OPTION naming it", () => {
    const socket = connect({ port: 1, host: "127.0.0.1" });
    socket.on("error", () => {});
    try {
      expect(() => new SocketConnection(socket, { highWaterMarkBytes: 0 })).toThrow(
        expect.objectContaining({
          code: "INVALID_OPTION",
          message: expect.stringContaining("highWaterMarkBytes"),
        }),
      );
      expect(() => new SocketConnection(socket, { kind: "udp" as "tcp" })).toThrow(
        expect.objectContaining({
          code: "INVALID_OPTION",
          message: expect.stringContaining("kind"),
        }),
      );
    } finally {
      socket.destroy();
    }
  });
});
