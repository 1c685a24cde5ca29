// Partition: a server in a network namespace of its own is blackholed (iptables DROP inside that
// namespace) while calls are in flight. The client's heartbeat must notice within
// heartbeatIntervalMs + heartbeatTimeoutMs + 0.5 s and settle the calls CONNECTION_LOST.
// Needs root, `ip netns` and iptables; skipped (with the reason printed) elsewhere.
import { type ChildProcess, spawn } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  createNetnsPartition,
  type NetnsPartition,
  netnsPartitionSupport,
  settleWithin,
} from "@parley/testkit";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { connect } from "../src/index.js";
import { reportFigures, scaled } from "./chaos-fixtures.js";
import { testContract } from "./fixtures.js";
import { exited } from "./processes/spawn.js";

const HEARTBEAT_INTERVAL_MS = 300;
const HEARTBEAT_TIMEOUT_MS = 300;
const BOUND_MS = HEARTBEAT_INTERVAL_MS + HEARTBEAT_TIMEOUT_MS + 500;
const ROUNDS = scaled(1);
const CALLS_IN_FLIGHT = 8;

const support = netnsPartitionSupport();
if (!support.ok) console.log(`[chaos] partition tests skipped: ${support.reason}`);

let partition: NetnsPartition | undefined;
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill("SIGKILL");
    await exited(server);
  }
  partition?.destroy();
});

/** Starts processes/child-server.ts inside the namespace; resolves with the URL it printed. */
async function serveInside(ns: NetnsPartition): Promise<string> {
  const file = fileURLToPath(new URL("./processes/child-server.ts", import.meta.url));
  const argv = ns.command([
    process.execPath,
    "--conditions=@parley/source",
    "--import",
    "tsx",
    file,
    `tcp://${ns.peerAddress}:0`,
  ]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  server = child;
  return new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before printing`)));
  });
}

describe("chaos: partition", () => {
  it(`settles calls to a blackholed peer CONNECTION_LOST within heartbeat interval + timeout + 0.5 s (${BOUND_MS} ms)`, {
    timeout: 60_000 * ROUNDS,
  }, async (ctx) => {
    if (!support.ok) {
      ctx.skip(support.reason);
      return;
    }
    partition = createNetnsPartition();
    const url = await serveInside(partition);
    const detections: number[] = [];
    // A heartbeat timer that could not fire on time is the machine's lateness, not Parley's: the
    // event loop's worst delay during the run is added to the bound (as in chaos-hostile-bytes).
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
    onTestFinished(() => {
      loopDelay.disable();
    });
    const loopDelays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const client = await connect({
        url,
        contract: testContract,
        heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
        heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      });
      onTestFinished(() => client.destroy());
      expect(await client.call.echo("reachable")).toBe("reachable");
      const calls = Array.from({ length: CALLS_IN_FLIGHT }, (_, i) =>
        settleWithin(`slow-${i}`, 30_000, () =>
          client.call.slow({ ms: 60_000 }, { timeoutMs: 120_000 }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 100)); // the Requests are out
      const blackholedAt = performance.now();
      partition.blackhole();
      const outcomes = await Promise.all(calls);
      // The last call settled in the tick that resolved Promise.all: read the clock now.
      const detectedMs = performance.now() - blackholedAt;
      const maxLoopDelayMs = loopDelay.max / 1e6;
      const info = await client.closed;
      partition.heal();
      detections.push(detectedMs);
      loopDelays.push(maxLoopDelayMs);
      expect(outcomes.map((o) => o.code)).toEqual(Array(CALLS_IN_FLIGHT).fill("CONNECTION_LOST"));
      expect((info.error as { code?: string } | undefined)?.code).toBe("PEER_UNRESPONSIVE");
      expect(detectedMs).toBeLessThanOrEqual(BOUND_MS + maxLoopDelayMs);
    }
    reportFigures("partition", {
      rounds: ROUNDS,
      callsInFlight: CALLS_IN_FLIGHT,
      boundMs: BOUND_MS,
      detectedMs: detections.map(Math.round),
      maxLoopDelayMs: loopDelays.map(Math.round),
    });
  });
});
