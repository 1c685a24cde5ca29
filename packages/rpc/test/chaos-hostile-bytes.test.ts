// Chaos: a live server fed random and mutated frames, from the first byte and after a valid
// handshake, over 20,000 connections (fast-check, fixed seed). The server must close every bad
// connection within its handshake timeout, return to its baseline of connections and file
// descriptors, and keep serving a normal client throughout.

import { monitorEventLoopDelay } from "node:perf_hooks";
import {
  countOpenFds,
  createByteTap,
  expectNoLeakedHandles,
  type HostileMaterial,
  type HostileResult,
  type HostileStream,
  hostileStreamArbitrary,
  runBounded,
  sendHostileBytes,
  snapshotHandles,
  splitFrames,
} from "@parley/testkit";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { connect } from "../src/index.js";
import { reportFigures, scaled, serveForFile } from "./chaos-fixtures.js";
import { testContract } from "./fixtures.js";

const CONNECTIONS = scaled(20_000);
const CONCURRENCY = 32;
const SILENT_CONCURRENCY = 96;
const SEED = Number(process.env.PARLEY_CHAOS_SEED ?? 20_261_207);
// The server's bounds: every silent connection must be ended by one of them. After the handshake
// only the heartbeat can notice a silent peer: 2 intervals + the Pong timeout = 1.5 s < 2 s.
const HANDSHAKE_TIMEOUT_MS = 2_000;
const HEARTBEAT = { heartbeatIntervalMs: 500, heartbeatTimeoutMs: 500 };
const CLOSE_TIMEOUT_MS = 1_000;
// How much later than the handshake timeout a close may be seen: connections queue for the CPU on a
// loaded 2-core machine (about 1 s at a load average of 50). The event loop's worst delay during the
// run is added on top: a timer that could not fire on time is the machine's lateness, not Parley's.
const SLACK_MS = 3_000;

const fixture = serveForFile({
  handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
  closeTimeoutMs: CLOSE_TIMEOUT_MS,
  ...HEARTBEAT,
});

/** Records a real client's session through a tap: its handshake, then every frame either way. */
async function recordMaterial(): Promise<HostileMaterial> {
  const tap = await createByteTap({ host: "127.0.0.1", port: fixture.port });
  const client = await connect({
    url: `tcp://${tap.address.host}:${tap.address.port}`,
    contract: testContract,
  });
  await client.call.echo("hello");
  await client.call.slow({ ms: 1 });
  await client.call.count(null);
  client.signal("note", "a note");
  await client.call.echo("x".repeat(300));
  await client.close();
  await tap.close();
  const [session] = tap.connections;
  const sent = splitFrames(Buffer.concat(session!.toTarget)).frames;
  const received = splitFrames(Buffer.concat(session!.toClient)).frames;
  // The client's first two frames are its Hello and its HelloAck accept: after them it is ready.
  return { handshake: Buffer.concat(sent.slice(0, 2)), frames: [...sent, ...received] };
}

/** Sends every stream on its own connection; silent ones in a pool of their own. */
async function sendAll(streams: readonly HostileStream[]) {
  const results = new Array<HostileResult>(streams.length);
  const send = (i: number) =>
    sendHostileBytes({ host: "127.0.0.1", port: fixture.port }, streams[i]!.bytes, {
      end: streams[i]!.end,
      timeoutMs: HANDSHAKE_TIMEOUT_MS + 5 * SLACK_MS,
    }).then((result) => {
      results[i] = result;
    });
  // Silent connections only wait for the server's timers: pooled apart, they hold up no others.
  const loud = streams.flatMap((stream, i) => (stream.end ? [i] : []));
  const silent = streams.flatMap((stream, i) => (stream.end ? [] : [i]));
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const start = performance.now();
  await Promise.all([
    runBounded(loud.length, CONCURRENCY, (k) => send(loud[k]!)),
    runBounded(silent.length, SILENT_CONCURRENCY, (k) => send(silent[k]!)),
  ]);
  loopDelay.disable();
  return { results, durationMs: performance.now() - start, maxLoopDelayMs: loopDelay.max / 1e6 };
}

describe("chaos: hostile bytes", () => {
  let material: HostileMaterial;

  beforeAll(async () => {
    material = await recordMaterial();
  });

  it("replays a recorded handshake that makes a connection ready, which the heartbeat then ends", async () => {
    const { server, port } = fixture;
    expect(material.frames.length).toBeGreaterThanOrEqual(10);
    const accepted = new Promise((resolve) => server.once("connect", resolve));
    const handshakeOnly = sendHostileBytes({ host: "127.0.0.1", port }, material.handshake, {
      end: false,
      timeoutMs: HANDSHAKE_TIMEOUT_MS + 2 * SLACK_MS,
    });
    await accepted;
    expect((await handshakeOnly).closedAfterMs).toBeDefined();
  });

  it(`closes each of ${CONNECTIONS} garbage connections within handshakeTimeoutMs, returns to its fd and connection baseline, and serves a normal client throughout (seed ${SEED})`, {
    timeout: 240_000 * Math.max(1, CONNECTIONS / 20_000),
  }, async () => {
    const { server } = fixture;
    // The server registers a connection when the client's HelloAck arrives, after connect() resolved.
    const registered = new Promise((resolve) => server.once("connect", resolve));
    const normal = await connect({ url: server.url, contract: testContract });
    await registered;
    const before = snapshotHandles();
    const fdsBefore = countOpenFds();
    const baseline = server.connections.length;
    let serverClosed = false;
    void server.closed.then(() => {
      serverClosed = true;
    });
    const stats = { refused: 0, disconnected: 0 };
    server.on("refuse", () => stats.refused++);
    server.on("disconnect", () => stats.disconnected++);
    const streams = fc.sample(hostileStreamArbitrary(material), {
      seed: SEED,
      numRuns: CONNECTIONS,
    });
    let done = false;
    const normalCalls = keepCalling(normal, () => done);
    const { results, durationMs, maxLoopDelayMs } = await sendAll(streams);
    done = true;
    const served = await normalCalls;
    const limitMs = HANDSHAKE_TIMEOUT_MS + SLACK_MS + maxLoopDelayMs;
    const slow = results
      .map((result, index) => ({ index, closedAfterMs: result.closedAfterMs }))
      .filter((r) => r.closedAfterMs === undefined || r.closedAfterMs > limitMs);
    const closeTimes = results.map((r) => r.closedAfterMs ?? Number.POSITIVE_INFINITY);
    const baselineBack = await vi
      .waitUntil(() => server.connections.length === baseline, { timeout: 10_000, interval: 20 })
      .then(
        () => true,
        () => false,
      );
    reportFigures("hostile-bytes", {
      seed: SEED,
      connections: CONNECTIONS,
      durationMs: Math.round(durationMs),
      kinds: countBy(streams, describeKind),
      maxCloseMs: Math.round(Math.max(...closeTimes)),
      maxLoopDelayMs: Math.round(maxLoopDelayMs),
      slowCloses: slow.length,
      ...stats,
      normalCalls: served,
      fdsBefore,
      fdsAfter: countOpenFds(),
      connectionsAfter: server.connections.length,
    });
    const slowCases = slow.slice(0, 5).map((r) => describeCase(r.index, streams[r.index]!, r));
    expect(slowCases).toEqual([]);
    expect(serverClosed).toBe(false);
    expect(served.failures).toEqual([]);
    expect(served.ok).toBeGreaterThan(0);
    expect(baselineBack).toBe(true);
    await expectNoLeakedHandles(before, { timeoutMs: 10_000, ignore: ["Timeout"] });
    await normal.close();
  });
});

const describeKind = (s: HostileStream) =>
  `${s.afterHandshake ? "after" : "before"}-handshake ${s.kind}${s.end ? "" : " silent"}`;

/** Calls `echo` on `client` every 10 ms until `stop()`; counts successes and failure codes. */
async function keepCalling(
  client: Awaited<ReturnType<typeof connect<typeof testContract>>>,
  stop: () => boolean,
): Promise<{ ok: number; failures: string[] }> {
  const served = { ok: 0, failures: [] as string[] };
  while (!stop()) {
    try {
      expect(await client.call.echo("still here", { timeoutMs: 5_000 })).toBe("still here");
      served.ok++;
    } catch (error) {
      served.failures.push((error as { code?: string }).code ?? String(error));
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return served;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** A failing case, replayable: the seed, its index in the sample, and its bytes. */
function describeCase(
  index: number,
  stream: HostileStream,
  { closedAfterMs }: { closedAfterMs?: number },
) {
  const hex = Buffer.from(stream.bytes).toString("hex");
  return `seed ${SEED} case ${index}: ${stream.kind}, ${stream.afterHandshake ? "after" : "before"} handshake, end ${stream.end}, closed after ${closedAfterMs === undefined ? "never" : `${Math.round(closedAfterMs)} ms`}, ${stream.bytes.length} bytes ${hex.slice(0, 240)}`;
}
