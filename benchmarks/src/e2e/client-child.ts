/**
 * Entry point of a client child process: connects one system's client for a point, and for each
 * round warms it up and runs the measured closed loop, reporting latency, throughput and its own CPU
 * time. The connection stays open across the rounds of a point, as a real client's would.
 */
import { catalogEntry } from "../systems/catalog.js";
import type { BenchSystem, CallbackEchoClient, EchoClient } from "../systems/system.js";
import { collectGarbage, withTimeout } from "./child-util.js";
import { makePayload, runClosedLoop } from "./closed-loop.js";
import {
  type ClientRequest,
  cpuNow,
  type MeasureReply,
  type Notify,
  serveRequests,
} from "./ipc.js";

const CLOSE_TIMEOUT_MS = 5_000;

interface Session {
  readonly client: EchoClient | CallbackEchoClient;
  readonly concurrency: number;
  readonly payload: Uint8Array;
}

let system: BenchSystem | undefined;
let session: Session | undefined;

async function release(): Promise<null> {
  const current = session;
  session = undefined;
  if (current !== undefined) await withTimeout(current.client.close(), CLOSE_TIMEOUT_MS);
  return null;
}

async function open(request: Extract<ClientRequest, { type: "open" }>): Promise<null> {
  if (system === undefined) throw new Error("no system loaded");
  await release();
  const { concurrency, payloadBytes } = request;
  const client = await system.createClient(request.endpoint, { concurrency, payloadBytes });
  session = { client, concurrency, payload: makePayload(request.payloadBytes) };
  return null;
}

async function run(
  request: Extract<ClientRequest, { type: "run" }>,
  notify: Notify,
): Promise<MeasureReply> {
  if (session === undefined) throw new Error("run before open");
  if (request.collectGarbage) collectGarbage();
  let cpuAtOpen = cpuNow();
  let cpuAtClose = cpuAtOpen;
  const result = await runClosedLoop(session.client, {
    concurrency: session.concurrency,
    payload: session.payload,
    warmupMs: request.warmupMs,
    warmupRequests: request.warmupRequests,
    durationMs: request.durationMs,
    maxRequests: request.maxRequests,
    onWindow: (edge) => {
      if (edge === "open") cpuAtOpen = cpuNow();
      else cpuAtClose = cpuNow();
      notify(edge);
    },
  });
  return {
    completed: result.completed,
    errors: result.errors,
    firstError: result.firstError,
    elapsedMs: result.elapsedMs,
    latency: result.histogram.summary(),
    cpu: {
      user: cpuAtClose.user - cpuAtOpen.user,
      system: cpuAtClose.system - cpuAtOpen.system,
    },
  };
}

serveRequests<ClientRequest>(async (request, notify) => {
  switch (request.type) {
    case "load":
      system = await catalogEntry(request.system).load();
      return null;
    case "open":
      return open(request);
    case "run":
      return run(request, notify);
    case "release":
      return release();
    case "stop":
      await release();
      setTimeout(() => process.exit(0), 50).unref();
      return null;
  }
});
