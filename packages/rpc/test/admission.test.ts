import { once } from "node:events";
import { connect as connectRaw, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { describe, expect, it, onTestFinished } from "vitest";
import { REFUSAL_LINGER_MS } from "../src/admission.js";
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

/**
 * A raw socket that writes `bytes` and reports when the server closes it. `lingers`: it does not
 * answer the server's FIN with its own, as a hostile connector would not.
 */
async function rawSocket(
  port: number,
  bytes: Uint8Array,
  lingers = false,
): Promise<{ socket: Socket; closedAt: Promise<number> }> {
  const socket = connectRaw({ host: "127.0.0.1", port, allowHalfOpen: lingers });
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
    // The client is told why (a refusal, not a reset) and what to raise.
    await expect(
      connect({ url: server.url, contract: testContract, metadata: { blob: "m".repeat(5_000) } }),
    ).rejects.toMatchObject({
      code: "MESSAGE_TOO_LARGE",
      retryable: false,
      message: expect.stringContaining("maxPreHelloBytes (2048)"),
    });
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
    // The flood keeps the kernel's accept queue full, so a SYN is dropped unless it arrives just as
    // the server takes a connection from the queue, and the kernel retries a dropped SYN only after
    // 1 s, 3 s, 7 s and 15 s: one 15 s attempt lost every SYN on a loaded machine. A client that
    // must get in does what the flood does: short attempts (two SYNs each), retried on the backoff
    // (`waitForReady`). The Hello timer starts when the kernel completes the TCP handshake, which
    // can be long before the server accepts the connection: 15 s, not 5.
    const client = await connect({
      url: server.url,
      contract: testContract,
      connectTimeoutMs: 1_500,
      waitForReady: { timeoutMs: 30_000 },
      handshakeTimeoutMs: 15_000,
    });
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
    // The connect waits its turn in the kernel's accept queue, which the flood keeps full: it
    // succeeds, but in seconds, not milliseconds.
    expect(connectMs).toBeLessThan(30_000);
    expect(p99).toBeLessThan(500);
    expect(refusals.every((r) => r.code === "OVERLOADED" || r.code === "CONNECTION_LOST")).toBe(
      true,
    );
  }, 60_000);
});

/** Collects what the server sends on `socket`, as latin1 text (the refusal's code is ASCII). */
function received(socket: Socket): () => string {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString("latin1");
}

describe("a dropped connection is told why", () => {
  it("gives a client dropped from a full handshaking bound a retryable OVERLOADED, not CONNECTION_LOST", async () => {
    let verifying = (): void => {};
    const verifyStarted = new Promise<void>((resolve) => {
      verifying = resolve;
    });
    const { server, refusals, port } = await startServer({
      maxHandshakingConnections: 1,
      // The client's Hello is held by a slow verifier: it is still handshaking when pushed out.
      verifyAuth: () => {
        verifying();
        return new Promise<boolean>(() => {});
      },
    });
    const client = connect({ url: server.url, contract: testContract });
    await verifyStarted;
    await rawSocket(port, Uint8Array.of(0));
    await expect(client).rejects.toMatchObject({
      code: "OVERLOADED",
      retryable: true,
      message: expect.stringContaining("maxHandshakingConnections (1)"),
    });
    expect(refusals[0]).toMatchObject({ code: "OVERLOADED" });
  });

  it("reads and discards what a refused connector goes on sending, and resets it after REFUSAL_LINGER_MS", async () => {
    const { refusals, port } = await startServer();
    const started = Date.now();
    const { socket, closedAt } = await rawSocket(port, Uint8Array.of(0x00, 0x40, 0x00, 0x00), true);
    const text = received(socket);
    await until(() => text().includes("MESSAGE_TOO_LARGE"));
    // It never goes and keeps writing: none of it is kept, and the server cuts it off.
    const junk = new Uint8Array(65_536);
    const flood = setInterval(() => socket.writable && socket.write(junk), 5);
    onTestFinished(() => clearInterval(flood));
    const closed = await closedAt;
    clearInterval(flood);
    expect(text().startsWith("\u0000\u0000\u0000&\u0001")).toBe(true); // refusal Hello first
    expect(closed - started).toBeLessThan(REFUSAL_LINGER_MS + 3_000);
    expect(closed - started).toBeGreaterThanOrEqual(REFUSAL_LINGER_MS - 100);
    expect(socket.bytesWritten).toBeGreaterThan(65_536);
    expect(refusals.map((r) => r.code)).toEqual(["MESSAGE_TOO_LARGE"]);
  });

  it("resets a connection dropped before it sent a whole frame, with no refusal written", async () => {
    const { refusals, port } = await startServer({ maxHandshakingConnections: 1 });
    const first = await rawSocket(port, Uint8Array.of(0, 0, 0)); // a flood's 3 bytes, no more
    const text = received(first.socket);
    await rawSocket(port, Uint8Array.of(0, 0, 0));
    await first.closedAt;
    expect(text()).toBe(""); // a flood costs the server a reset each, never a refusal's writes
    expect(refusals[0]).toMatchObject({ code: "OVERLOADED" });
  });

  it("keeps at most maxHandshakingConnections refused connections open, resetting the oldest", async () => {
    const { port } = await startServer({ maxHandshakingConnections: 2 });
    const sockets: Awaited<ReturnType<typeof rawSocket>>[] = [];
    for (let i = 0; i < 5; i++) {
      const raw = await rawSocket(port, Uint8Array.of(0x00, 0x40, 0x00, 0x00), true);
      const text = received(raw.socket);
      await until(() => text().includes("MESSAGE_TOO_LARGE"));
      sockets.push(raw);
    }
    // A socket whose reading is over learns of a reset only when it writes: each keeps writing.
    const probe = setInterval(() => {
      for (const { socket } of sockets) if (socket.writable) socket.write(Uint8Array.of(0));
    }, 20);
    onTestFinished(() => clearInterval(probe));
    // The three oldest were reset to make room, well before the linger ran out.
    const started = Date.now();
    await Promise.all(sockets.slice(0, 3).map((s) => s.closedAt));
    expect(Date.now() - started).toBeLessThan(REFUSAL_LINGER_MS / 2);
    expect(sockets[3]!.socket.destroyed).toBe(false);
    expect(sockets[4]!.socket.destroyed).toBe(false);
  });

  it("lets a connector that reads its refusal and goes close cleanly, with no reset", async () => {
    const { port } = await startServer();
    const { socket, closedAt } = await rawSocket(port, Uint8Array.of(0x00, 0x40, 0x00, 0x00), true);
    const text = received(socket);
    const errors: string[] = [];
    socket.on("error", (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    socket.once("end", () => socket.end());
    const started = Date.now();
    await closedAt;
    expect(Date.now() - started).toBeLessThan(REFUSAL_LINGER_MS);
    expect(text()).toContain("MESSAGE_TOO_LARGE");
    expect(errors).toEqual([]);
  });
});
