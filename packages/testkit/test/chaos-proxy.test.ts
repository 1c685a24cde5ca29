import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  type ChaosProxy,
  createChaosProxy,
  expectNoLeakedHandles,
  firstDifference,
  type HandleSnapshot,
  snapshotHandles,
} from "../src/index.js";
import { connectTo, type EchoServer, eventually, startEchoServer } from "./socket-helpers.js";
import { pattern } from "./turns.js";

let before: HandleSnapshot;
beforeAll(() => {
  before = snapshotHandles();
});
afterAll(async () => {
  await expectNoLeakedHandles(before);
});

async function echoBehindProxy(): Promise<{ echo: EchoServer; proxy: ChaosProxy }> {
  const echo = await startEchoServer();
  const proxy = await createChaosProxy({ target: echo.address });
  onTestFinished(async () => {
    await proxy.close();
    await echo.close();
  });
  return { echo, proxy };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("chaos proxy without faults", () => {
  it("forwards bytes both ways unchanged and counts the connection", async () => {
    const { proxy } = await echoBehindProxy();
    expect(proxy.address).toMatchObject({ host: "127.0.0.1" });
    const client = await connectTo(proxy.address);
    const payload = pattern(256 * 1024);
    client.socket.write(payload);
    expect(firstDifference(await client.whenBytes(payload.length), payload)).toBe(-1);
    expect([proxy.connections, proxy.accepted]).toEqual([1, 1]);
    client.socket.end();
    await client.whenClosed();
    await eventually("the proxy forgets the closed connection", () => proxy.connections === 0);
  });

  it("passes a half-close through: the target still answers after the client ends", async () => {
    const { echo, proxy } = await echoBehindProxy();
    const client = await connectTo(proxy.address);
    client.socket.end(pattern(10));
    await client.whenEnded();
    expect(client.received).toEqual(pattern(10));
    expect(echo.accepted[0]?.ended).toBe(true);
    expect(await client.whenClosed()).toBeUndefined();
  });

  it("passes a client's reset on to the target as ECONNRESET", async () => {
    const { echo, proxy } = await echoBehindProxy();
    const client = await connectTo(proxy.address);
    client.socket.write(pattern(4));
    await client.whenBytes(4);
    client.socket.resetAndDestroy();
    expect(await echo.accepted[0]?.whenClosed()).toMatchObject({ code: "ECONNRESET" });
  });
});

describe("chaos proxy faults", () => {
  it("delays forwarding by delayMs and keeps the order", async () => {
    const { echo, proxy } = await echoBehindProxy();
    proxy.setFaults({ delayMs: 60_000 }, { direction: "toTarget" });
    const held = await connectTo(proxy.address);
    held.socket.write(pattern(8));
    await sleep(100);
    expect(echo.accepted[0]?.chunks.length).toBe(0);
    proxy.resetAll();
    await held.whenClosed();

    proxy.setFaults({ delayMs: 10 });
    const client = await connectTo(proxy.address);
    for (let i = 0; i < 10; i++) client.socket.write(pattern(100, i));
    const expected = Buffer.concat(Array.from({ length: 10 }, (_, i) => pattern(100, i)));
    expect(await client.whenBytes(1000)).toEqual(expected);
  });

  it("re-cuts a write into chunkBytes pieces that arrive separately", async () => {
    const { echo, proxy } = await echoBehindProxy();
    proxy.setFaults({ chunkBytes: 100 }, { direction: "toTarget" });
    const client = await connectTo(proxy.address);
    client.socket.write(pattern(4000));
    expect(await client.whenBytes(4000)).toEqual(pattern(4000));
    const arrivals = echo.accepted[0]?.chunks.map((chunk) => chunk.length) ?? [];
    // One piece leaves per turn, so the server reads about one piece at a time (40 here); two
    // pieces may share a read, and a proxy writing all pieces at once shows up as 1 or 2 reads.
    expect(arrivals.length).toBeGreaterThanOrEqual(10);
    expect(arrivals.reduce((sum, size) => sum + size, 0)).toBe(4000);
  });

  it("flips the byte at corruptAfterBytes once, in the chosen direction only", async () => {
    const { echo, proxy } = await echoBehindProxy();
    proxy.setFaults({ corruptAfterBytes: 10 }, { direction: "toClient" });
    const client = await connectTo(proxy.address);
    client.socket.write(pattern(20));
    const received = await client.whenBytes(20);
    expect(echo.accepted[0]?.received).toEqual(pattern(20));
    const expected = pattern(20);
    expected[10] = (expected[10] ?? 0) ^ 0xff;
    expect(received).toEqual(expected);
    client.socket.write(pattern(20));
    expect((await client.whenBytes(40)).subarray(20)).toEqual(pattern(20));
  });

  it("forwards dropAfterBytes bytes, then closes both sides without an error", async () => {
    const { echo, proxy } = await echoBehindProxy();
    proxy.setFaults({ dropAfterBytes: 10 }, { direction: "toTarget" });
    const client = await connectTo(proxy.address);
    client.socket.write(pattern(25));
    await client.whenEnded();
    const server = echo.accepted[0]!;
    await server.whenEnded();
    expect(server.received).toEqual(pattern(10));
    client.socket.end();
    expect(await client.whenClosed()).toBeUndefined();
    await eventually("both proxy sockets close", () => proxy.connections === 0);
  });

  it("blackholes without closing anything, and forwards the held bytes once lifted", async () => {
    const { echo, proxy } = await echoBehindProxy();
    const client = await connectTo(proxy.address);
    proxy.setFaults({ blackhole: true });
    client.socket.write(pattern(64));
    await sleep(100);
    expect(echo.accepted[0]?.chunks.length).toBe(0);
    expect([client.closed, client.error, proxy.connections]).toEqual([false, undefined, 1]);
    proxy.setFaults({ blackhole: false });
    expect(await client.whenBytes(64)).toEqual(pattern(64));
  });

  it("holds bytes already queued by a delay when a blackhole starts", async () => {
    const { echo, proxy } = await echoBehindProxy();
    const client = await connectTo(proxy.address);
    proxy.setFaults({ delayMs: 500 }, { direction: "toTarget" });
    client.socket.write(pattern(32));
    await sleep(50); // the proxy has read the bytes; they wait for their due time
    proxy.setFaults({ blackhole: true, delayMs: 0 });
    await sleep(700);
    expect(echo.accepted[0]?.chunks.length).toBe(0);
    proxy.clearFaults();
    expect(await client.whenBytes(32)).toEqual(pattern(32));
  });

  it("counts byte offsets of an open connection from the setFaults() call", async () => {
    const { proxy } = await echoBehindProxy();
    const client = await connectTo(proxy.address);
    client.socket.write(pattern(20));
    await client.whenBytes(20);
    proxy.setFaults({ corruptAfterBytes: 0 }, { direction: "toClient" });
    client.socket.write(pattern(4));
    const reply = (await client.whenBytes(24)).subarray(20);
    expect([...reply]).toEqual([0 ^ 0xff, 1, 2, 3]);
  });

  it("resets every connection on resetAll(): both sides see ECONNRESET", async () => {
    const { echo, proxy } = await echoBehindProxy();
    const client = await connectTo(proxy.address);
    client.socket.write(pattern(4));
    await client.whenBytes(4);
    proxy.resetAll();
    expect(await client.whenClosed()).toMatchObject({ code: "ECONNRESET" });
    expect(await echo.accepted[0]?.whenClosed()).toMatchObject({ code: "ECONNRESET" });
    await eventually("the proxy forgets reset connections", () => proxy.connections === 0);
  });

  it("lifts faults with clearFaults() and reports the faults in force", async () => {
    const { proxy } = await echoBehindProxy();
    proxy.setFaults({ delayMs: 5, chunkBytes: 3 }, { direction: "toClient" });
    expect(proxy.faults("toClient")).toMatchObject({ delayMs: 5, chunkBytes: 3 });
    expect(proxy.faults("toTarget")).toMatchObject({ delayMs: 0, chunkBytes: undefined });
    proxy.setFaults({ chunkBytes: undefined });
    expect(proxy.faults("toClient")).toMatchObject({ delayMs: 5, chunkBytes: undefined });
    proxy.clearFaults();
    expect(proxy.faults("toClient").delayMs).toBe(0);
  });
});

describe("chaos proxy setup", () => {
  it("listens on and forwards to Unix socket paths, removing its socket file on close", async () => {
    const echo = await startEchoServer({ path: `/tmp/parley-echo-${process.pid}.sock` });
    const path = `/tmp/parley-chaos-${process.pid}.sock`;
    const proxy = await createChaosProxy({ target: echo.address, listen: { path } });
    expect(proxy.address).toEqual({ path });
    const client = await connectTo(proxy.address);
    client.socket.write(pattern(100));
    expect(await client.whenBytes(100)).toEqual(pattern(100));
    await proxy.close();
    await client.whenEnded();
    await echo.close();
    expect(existsSync(path)).toBe(false);
  });

  it("closes once, destroying open connections", async () => {
    const { proxy } = await echoBehindProxy();
    const client = await connectTo(proxy.address);
    const closing = proxy.close();
    expect(proxy.close()).toBe(closing);
    await closing;
    await client.whenEnded();
    expect(proxy.connections).toBe(0);
  });

  it.each([
    [{ delayMs: -1 }, "delayMs must be a finite number of at least 0"],
    [{ chunkBytes: 0 }, "chunkBytes must be an integer of at least 1"],
    [{ dropAfterBytes: 1.5 }, "dropAfterBytes must be an integer of at least 0"],
    [{ blackhole: "yes" }, "blackhole must be true or false"],
    [{ jitterMs: 3 }, 'unknown fault "jitterMs"'],
  ])("rejects fault %o with INVALID_OPTION and changes nothing", async (faults, message) => {
    const { proxy } = await echoBehindProxy();
    proxy.setFaults({ delayMs: 7 });
    expect(() => proxy.setFaults({ chunkBytes: 2, ...faults } as never)).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: expect.stringContaining(message),
      }),
    );
    expect(proxy.faults("toTarget")).toMatchObject({ delayMs: 7, chunkBytes: undefined });
  });

  it.each([
    [{}, "target must be { host, port } or { path }"],
    [{ target: { host: "127.0.0.1", port: 70_000 } }, "target.port must be at most 65535"],
    [{ target: { port: 1 } }, "target.host must be a non-empty string"],
    [{ target: { path: "" } }, "target.path must be a non-empty string"],
    [
      { target: { path: "/x" }, listen: { port: -1 } },
      "listen.port must be an integer of at least 0",
    ],
  ])("rejects options %o with INVALID_OPTION", async (options, message) => {
    await expect(createChaosProxy(options as never)).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining(message),
    });
  });

  it("rejects a bad direction with INVALID_OPTION", async () => {
    const { proxy } = await echoBehindProxy();
    expect(() => proxy.setFaults({}, { direction: "up" as never })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
  });
});
