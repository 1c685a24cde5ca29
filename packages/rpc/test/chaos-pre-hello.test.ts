// Chaos: peers that never authenticate but send a huge first frame, slowly or not at all to the
// end. Whatever they send before their Hello is accepted must not make the server hold more than
// a small, bounded amount of memory, and each such connection must still end.
import { createConnection, type Socket } from "node:net";
import { collectAndMeasureHeap, runBounded } from "@parley/testkit";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { reportFigures, scaled, serveForFile } from "./chaos-fixtures.js";

const CONNECTIONS = scaled(20);
const SENT_BYTES = 2 * 2 ** 20; // per connection: a first frame announced at 4 MiB - 1, half of it sent
// All not-yet-authenticated connections together may hold at most this much (the server's cap on
// a connection's bytes before its Hello is accepted is in the tens of KiB; this leaves room for
// socket read buffers and for this process's own client side).
const MAX_HELD_BYTES = 8 * 2 ** 20;
const HANDSHAKE_TIMEOUT_MS = 5_000;

const fixture = serveForFile({ handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });

/** Memory outside the JS heap: where socket chunks and buffered frame parts live. */
const offHeapBytes = () => {
  collectAndMeasureHeap();
  const usage = process.memoryUsage();
  return usage.arrayBuffers + usage.external;
};

describe("chaos: bytes before the Hello", () => {
  it(`holds at most ${MAX_HELD_BYTES / 2 ** 20} MiB for ${CONNECTIONS} unauthenticated connections each sending ${SENT_BYTES / 2 ** 20} MiB of a 4 MiB first frame`, {
    timeout: 60_000,
  }, async () => {
    const payload = Buffer.alloc(SENT_BYTES); // one buffer shared by every write: counted once
    payload.writeUInt32BE(4 * 2 ** 20 - 1, 0);
    const before = offHeapBytes();
    // Sampled while the sockets are open and the peak kept: a reading after a fixed sleep could
    // come after the server had already dropped what it held.
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, offHeapBytes());
    }, 50);
    onTestFinished(() => clearInterval(sampler));
    const sockets: Socket[] = [];
    const closedAt: (number | undefined)[] = [];
    const start = performance.now();
    await runBounded(CONNECTIONS, CONNECTIONS, async (i) => {
      const socket = createConnection({ host: "127.0.0.1", port: fixture.port });
      sockets.push(socket);
      socket.on("error", () => {});
      socket.on("data", () => {});
      socket.once("close", () => {
        closedAt[i] = performance.now() - start;
      });
      await new Promise<void>((resolve) => socket.once("connect", resolve));
      // Resolves once the kernel took all of it, or when the server closed the connection first.
      await new Promise<void>((resolve) => {
        socket.write(payload, () => resolve());
        socket.once("close", () => resolve());
      });
    });
    const allClosed = await vi
      .waitUntil(() => closedAt.filter((t) => t !== undefined).length === CONNECTIONS, {
        timeout: HANDSHAKE_TIMEOUT_MS + 5_000,
        interval: 20,
      })
      .then(
        () => true,
        () => false,
      );
    clearInterval(sampler);
    const held = Math.max(peak, offHeapBytes()) - before;
    for (const socket of sockets) socket.destroy();
    reportFigures("pre-hello", {
      connections: CONNECTIONS,
      sentMiB: (CONNECTIONS * SENT_BYTES) / 2 ** 20,
      heldMiB: Number((held / 2 ** 20).toFixed(2)),
      maxCloseMs: Math.round(Math.max(...closedAt.map((t) => t ?? Number.POSITIVE_INFINITY))),
    });
    expect(held).toBeLessThan(MAX_HELD_BYTES);
    expect(allClosed).toBe(true);
  });
});
