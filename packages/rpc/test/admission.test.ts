import { once } from "node:events";
import { connect as connectRaw, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, type ServeOptions, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";
import { exited, spawnScript } from "./processes/spawn.js";

type Extra = Partial<ServeOptions<typeof testContract>>;

async function startServer(extra: Extra = {}) {
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract: testContract,
    handlers: testHandlers(),
    handshakeTimeoutMs: 10_000,
    ...extra,
  });
  const refusals: { code: string; message: string }[] = [];
  server.on("refuse", (_address, error) => refusals.push(error as never));
  onTestFinished(() => server.destroy());
  return { server, refusals, port: Number(server.url.split(":").pop()) };
}

/** A raw socket that writes `bytes` and reports when the server closes it. */
async function rawSocket(
  port: number,
  bytes: Uint8Array,
): Promise<{ socket: Socket; closedAt: Promise<number> }> {
  const socket = connectRaw({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  socket.on("data", () => {});
  onTestFinished(() => {
    socket.destroy();
  });
  await once(socket, "connect");
  socket.write(bytes);
  const closedAt = new Promise<number>((resolve) =>
    socket.once("close", () => resolve(Date.now())),
  );
  return { socket, closedAt };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("pre-Hello byte cap (maxPreHelloBytes)", () => {
  it("drops a connection as soon as its first length prefix announces a frame over the cap", async () => {
    const { refusals, port } = await startServer();
    const started = Date.now();
    // A 4 MiB frame announced; not one byte of it sent.
    const { closedAt } = await rawSocket(port, Uint8Array.of(0x00, 0x40, 0x00, 0x00));
    expect((await closedAt) - started).toBeLessThan(5_000); // handshakeTimeoutMs is 10 s
    await until(() => refusals.length === 1);
    expect(refusals[0]).toMatchObject({
      code: "MESSAGE_TOO_LARGE",
      message: expect.stringContaining("maxPreHelloBytes (73728)"),
    });
  });

  it("accepts a client whose Hello carries 60 KB of metadata under the default cap", async () => {
    const { server } = await startServer();
    const client = await connect({
      url: server.url,
      contract: testContract,
      metadata: { blob: "m".repeat(60_000) },
    });
    onTestFinished(() => client.close());
    await expect(client.call.echo("big hello")).resolves.toBe("big hello");
  });

  it("refuses a Hello over a lowered maxPreHelloBytes, and names the option", async () => {
    const { server, refusals } = await startServer({ maxPreHelloBytes: 2048 });
    await expect(
      connect({ url: server.url, contract: testContract, metadata: { blob: "m".repeat(5_000) } }),
    ).rejects.toMatchObject({ code: "CONNECTION_LOST" });
    // (The client then asks the port whether it speaks TLS: a second refusal may follow.)
    await until(() => refusals.length >= 1);
    expect(refusals[0]).toMatchObject({
      code: "MESSAGE_TOO_LARGE",
      message: expect.stringContaining("maxPreHelloBytes (2048)"),
    });
  });

  it("rejects bad admission options with INVALID_OPTION naming them", async () => {
    for (const [extra, name] of [
      [{ maxPreHelloBytes: 10 }, "maxPreHelloBytes"],
      [{ maxHandshakingConnections: 0 }, "maxHandshakingConnections"],
      [{ maxPreHelloBytes: 100_000, maxHandshakingBytes: 50_000 }, "maxHandshakingBytes"],
    ] as const) {
      await expect(startServer(extra)).rejects.toMatchObject({
        code: "INVALID_OPTION",
        message: expect.stringContaining(name),
      });
    }
  });
});

describe("handshaking connections have their own bound", () => {
  it("drops the oldest handshaking connection when maxHandshakingConnections is full, never an authenticated one", async () => {
    const { server, refusals, port } = await startServer({
      maxHandshakingConnections: 2,
    });
    const client = await connect({ url: server.url, contract: testContract });
    onTestFinished(() => client.close());
    const raw = [];
    for (let i = 0; i < 4; i++) raw.push(await rawSocket(port, Uint8Array.of(0)));
    // The first two (the oldest) were dropped to admit the last two.
    await Promise.all([raw[0]!.closedAt, raw[1]!.closedAt]);
    expect(refusals.map((r) => r.code)).toEqual(["OVERLOADED", "OVERLOADED"]);
    expect(refusals[0]!.message).toContain("maxHandshakingConnections (2)");
    expect(raw[2]!.socket.destroyed).toBe(false);
    expect(server.connections).toHaveLength(1);
    await expect(client.call.echo("still here")).resolves.toBe("still here");
  });

  it("drops the oldest when the handshaking connections hold more than maxHandshakingBytes together", async () => {
    const { refusals, port } = await startServer({
      maxPreHelloBytes: 2048,
      maxHandshakingBytes: 4096,
    });
    // Each announces a 2000-byte frame and sends 1500 bytes of it: 1504 bytes held each.
    const partial = new Uint8Array(1504);
    partial.set([0, 0, 0x07, 0xd0]);
    const first = await rawSocket(port, partial);
    const second = await rawSocket(port, partial);
    await until(() => second.socket.bytesWritten === 1504);
    const third = await rawSocket(port, partial);
    await first.closedAt;
    await until(() => refusals.length === 1);
    expect(refusals[0]).toMatchObject({
      code: "OVERLOADED",
      message: expect.stringContaining("maxHandshakingBytes (4096)"),
    });
    expect(second.socket.destroyed).toBe(false);
    expect(third.socket.destroyed).toBe(false);
  });
});

describe("a flood of half-open connections", () => {
  it("lets a real client connect and make 300 calls with p99 under 500 ms during a flood of 5,000", async () => {
    const { server, refusals, port } = await startServer();
    const { child, firstLine } = await spawnScript("half-open-flood.ts", [
      String(port),
      "5000",
      "60000", // far longer than the calls take: the test ends the flood itself
    ]);
    expect(firstLine).toBe("flooding");
    const lines = createInterface({ input: child.stdout! });
    const summary = new Promise<string>((resolve) => lines.once("line", resolve));
    await until(() => refusals.length > 500, 15_000); // the flood is past the bound
    const connectStarted = performance.now();
    const client = await connect({ url: server.url, contract: testContract });
    const connectMs = performance.now() - connectStarted;
    onTestFinished(() => client.close());
    const latencies: number[] = [];
    for (let i = 0; i < 300; i++) {
      const started = performance.now();
      await client.call.echo(`call ${i}`);
      latencies.push(performance.now() - started);
    }
    const dropsDuringCalls = refusals.length;
    expect(child.exitCode).toBeNull(); // the flood lasted the whole measurement
    child.kill("SIGTERM");
    const [, opened] = (await summary).match(/opened (\d+)/) ?? [];
    await exited(child);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    expect(Number(opened)).toBeGreaterThan(5_000);
    expect(dropsDuringCalls).toBeGreaterThan(500);
    // Generous bounds for a shared 2-core machine; benchmarks/ reports the real figures.
    // The connect waits its turn in the kernel's accept queue, which the flood keeps full (a SYN
    // dropped there is retried after 1 s, then 3 s): it succeeds, but in seconds, not milliseconds.
    expect(connectMs).toBeLessThan(15_000);
    expect(p99).toBeLessThan(500);
    expect(refusals.every((r) => r.code === "OVERLOADED" || r.code === "CONNECTION_LOST")).toBe(
      true,
    );
  }, 30_000);
});
