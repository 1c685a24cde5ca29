import { Socket } from "node:net";
import { networkInterfaces } from "node:os";
import {
  expectNoLeakedHandles,
  type HandleSnapshot,
  recordConnection,
  snapshotHandles,
} from "@parley/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectTcp, listenTcp, type SocketConnection, type TcpListener } from "../src/index.js";
import { hasSs, noise, ssLines, startBlackhole, tcpPair } from "./helpers/sockets.js";

let before: HandleSnapshot;
beforeAll(() => {
  before = snapshotHandles();
});
afterAll(() => expectNoLeakedHandles(before));

const hasIpv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((info) => info?.address === "::1");

/** A listener whose connections end as soon as the peer does (a polite server). */
function listenPolitely(options: Parameters<typeof listenTcp>[0] = {}): Promise<TcpListener> {
  return listenTcp(options, (connection) => {
    recordConnection(connection, { onEnd: (c) => c.end() });
  });
}

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const listener = await listenPolitely();
  const port = listener.address.port;
  await listener.close();
  return port;
}

const codeOf = (error: unknown) => (error as { code?: unknown }).code;

describe("listenTcp", () => {
  it("binds port 0 to a real port, reported in address and url", async () => {
    const listener = await listenPolitely();
    expect(listener.address.port).toBeGreaterThan(0);
    expect(listener.address.address).toBe("127.0.0.1");
    expect(listener.url).toBe(`tcp://127.0.0.1:${listener.address.port}`);
    await listener.close();
  });

  it.runIf(hasIpv6Loopback)("listens and connects over IPv6", async () => {
    const listener = await listenPolitely({ host: "::1", ipv6Only: true });
    expect(listener.url).toBe(`tcp://[::1]:${listener.address.port}`);
    const client = await connectTcp({ host: "::1", port: listener.address.port });
    expect(client.remoteAddress).toBe(`[::1]:${listener.address.port}`);
    const atClient = recordConnection(client);
    client.end();
    expect(await atClient.whenClosed()).toBeUndefined();
    await listener.close();
  });

  it("refuses a second listener on the same port with ADDRESS_IN_USE", async () => {
    const first = await listenPolitely();
    const second = listenPolitely({ port: first.address.port });
    await expect(second).rejects.toMatchObject({
      code: "ADDRESS_IN_USE",
      retryable: false,
      address: `tcp://127.0.0.1:${first.address.port}`,
      cause: expect.objectContaining({ code: "EADDRINUSE" }),
    });
    await first.close();
  });

  it("fails with LISTEN_FAILED on a host that is not an address of this machine", async () => {
    await expect(listenPolitely({ host: "192.0.2.1" })).rejects.toMatchObject({
      code: "LISTEN_FAILED",
      message: expect.stringContaining("change host"),
    });
  });

  it("restarts on the same port at once while the old server's connections sit in TIME_WAIT", async () => {
    const first = await listenTcp({}, (connection) => {
      recordConnection(connection);
      connection.end(); // the server closes first, so TIME_WAIT lands on the server's port
    });
    const port = first.address.port;
    for (let i = 0; i < 3; i++) {
      const client = await connectTcp({ host: "127.0.0.1", port });
      const atClient = recordConnection(client, { onEnd: (c) => c.end() });
      expect(await atClient.whenClosed()).toBeUndefined();
    }
    await first.close();
    if (hasSs) {
      const waiting = ssLines(port, ["-tan", "state", "time-wait"]);
      expect(waiting.some((line) => line.includes(`:${port} `))).toBe(true);
    }
    const second = await listenPolitely({ port });
    expect(second.address.port).toBe(port);
    const client = await connectTcp({ host: "127.0.0.1", port });
    const atClient = recordConnection(client);
    client.end();
    expect(await atClient.whenClosed()).toBeUndefined();
    await second.close();
  });

  it("counts live connections; close() refuses new ones at once and resolves when they are gone", async () => {
    const accepted: SocketConnection[] = [];
    const listener = await listenTcp({}, (connection) => {
      accepted.push(connection);
      recordConnection(connection, { onEnd: (c) => c.end() });
    });
    const port = listener.address.port;
    const clients = [
      await connectTcp({ host: "127.0.0.1", port }),
      await connectTcp({ host: "127.0.0.1", port }),
    ];
    await vi.waitFor(() => expect(listener.connections).toBe(2));
    let closed = false;
    const closing = listener.close().then(() => {
      closed = true;
    });
    expect(listener.close()).toBe(listener.close());
    await expect(connectTcp({ host: "127.0.0.1", port })).rejects.toMatchObject({
      code: "CONNECT_REFUSED",
    });
    expect(closed).toBe(false);
    for (const client of clients) {
      const atClient = recordConnection(client);
      client.end();
      await atClient.whenClosed();
    }
    await closing;
    expect(listener.connections).toBe(0);
  });

  it("destroy() resets every live connection and closes the listener", async () => {
    const listener = await listenTcp({}, (connection) => recordConnection(connection));
    const client = await connectTcp({ host: "127.0.0.1", port: listener.address.port });
    const atClient = recordConnection(client);
    await vi.waitFor(() => expect(listener.connections).toBe(1));
    await listener.destroy();
    expect(codeOf(await atClient.whenClosed())).toBe("CONNECTION_RESET");
    expect(listener.connections).toBe(0);
  });

  it.runIf(hasSs)(
    "turns TCP keepalive on, on both ends, with keepAliveInitialDelayMs",
    async () => {
      const { client } = await tcpPair(
        { keepAliveInitialDelayMs: 30_000 },
        { keepAliveInitialDelayMs: 30_000 },
      );
      const port = Number(client.remoteAddress.split(":").at(-1));
      const lines = ssLines(port, ["-tano", "state", "established"]);
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toMatch(/timer:\(keepalive,(2\d|30)sec/);
    },
  );

  it.runIf(hasSs)("leaves keepalive off when keepAliveInitialDelayMs is 0", async () => {
    const { client } = await tcpPair(
      { keepAliveInitialDelayMs: 0 },
      { keepAliveInitialDelayMs: 0 },
    );
    const port = Number(client.remoteAddress.split(":").at(-1));
    const lines = ssLines(port, ["-tano", "state", "established"]);
    expect(lines).toHaveLength(2);
    expect(lines.join("\n")).not.toContain("keepalive");
  });

  it("sets TCP_NODELAY on accepted and on connected sockets", async () => {
    const spy = vi.spyOn(Socket.prototype, "setNoDelay");
    try {
      const { client, server } = await tcpPair();
      const tuned = spy.mock.contexts.filter(
        (socket) => socket === client.socket || socket === server.socket,
      );
      expect(tuned).toHaveLength(2);
      expect(spy.mock.calls.every(([noDelay]) => noDelay === true)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it("rejects bad options with INVALID_OPTION naming the option", async () => {
    const onConnection = () => {};
    const bad: [Parameters<typeof listenTcp>[0], string][] = [
      [{ port: 70_000 }, "port"],
      [{ port: 1.5 }, "port"],
      [{ host: "" }, "host"],
      [{ backlog: 0 }, "backlog"],
      [{ keepAliveInitialDelayMs: 500 }, "keepAliveInitialDelayMs"],
      // Past Linux's 32,767 s the kernel would keep its 2-hour default without a word.
      [{ keepAliveInitialDelayMs: 32_768_000 }, "keepAliveInitialDelayMs"],
      [{ highWaterMarkBytes: -1 }, "highWaterMarkBytes"],
      [{ ipv6Only: "yes" as unknown as boolean }, "ipv6Only"],
    ];
    for (const [options, name] of bad) {
      await expect(listenTcp(options, onConnection)).rejects.toMatchObject({
        code: "INVALID_OPTION",
        message: expect.stringContaining(name),
      });
    }
    await expect(listenTcp({}, "nope" as unknown as typeof onConnection)).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("onConnection"),
    });
  });
});

describe("connectTcp", () => {
  it("fails fast with CONNECT_REFUSED (retryable) when nothing listens on the port", async () => {
    const port = await freePort();
    const attempt = connectTcp({ host: "127.0.0.1", port, connectTimeoutMs: 60_000 });
    // The test's own 20 s limit proves this did not wait for connectTimeoutMs.
    await expect(attempt).rejects.toMatchObject({
      code: "CONNECT_REFUSED",
      retryable: true,
      address: `tcp://127.0.0.1:${port}`,
      cause: expect.objectContaining({ code: "ECONNREFUSED" }),
    });
  });

  it("connects by host name", async () => {
    const listener = await listenPolitely();
    const client = await connectTcp({ host: "localhost", port: listener.address.port });
    const atClient = recordConnection(client);
    client.write([noise(10, 1)]);
    client.end();
    expect(await atClient.whenClosed()).toBeUndefined();
    await listener.close();
  });

  it("gives up with CONNECT_TIMEOUT after connectTimeoutMs when the server never answers", async () => {
    const { port } = await startBlackhole();
    await expect(
      connectTcp({ host: "127.0.0.1", port, connectTimeoutMs: 200 }),
    ).rejects.toMatchObject({
      code: "CONNECT_TIMEOUT",
      retryable: true,
      message: expect.stringContaining("connectTimeoutMs (200 ms)"),
    });
  });

  it("abandons a pending connect with CONNECT_ABORTED when its signal aborts", async () => {
    const { port } = await startBlackhole();
    const controller = new AbortController();
    const attempt = connectTcp({ host: "127.0.0.1", port, signal: controller.signal });
    const reason = new Error("user gave up");
    setTimeout(() => controller.abort(reason), 20);
    await expect(attempt).rejects.toMatchObject({ code: "CONNECT_ABORTED", cause: reason });
  });

  it("rejects at once with CONNECT_ABORTED when the signal is already aborted", async () => {
    const attempt = connectTcp({ host: "127.0.0.1", port: 9, signal: AbortSignal.abort() });
    await expect(attempt).rejects.toMatchObject({ code: "CONNECT_ABORTED", retryable: false });
  });

  it("fails with CONNECT_FAILED for a host name that does not resolve", async () => {
    await expect(connectTcp({ host: "no-such-host.invalid", port: 7000 })).rejects.toMatchObject({
      code: "CONNECT_FAILED",
    });
  });

  it("rejects bad options with INVALID_OPTION naming the option", async () => {
    const bad: [Parameters<typeof connectTcp>[0], string][] = [
      [{ host: "127.0.0.1" } as Parameters<typeof connectTcp>[0], "port"],
      [{ host: "127.0.0.1", port: 0 }, "port"],
      [{ host: "", port: 7000 }, "host"],
      [{ host: "127.0.0.1", port: 7000, connectTimeoutMs: 0 }, "connectTimeoutMs"],
      [{ host: "127.0.0.1", port: 7000, noDelay: 1 as unknown as boolean }, "noDelay"],
      [{ host: "127.0.0.1", port: 7000, signal: {} as AbortSignal }, "signal"],
    ];
    for (const [options, name] of bad) {
      await expect(connectTcp(options)).rejects.toMatchObject({
        code: "INVALID_OPTION",
        message: expect.stringContaining(name),
      });
    }
  });
});
