/**
 * One system during a run: its server child and its client child, the endpoints its server listens
 * on, and whether it is usable. For each point the client is opened once, `measure` runs each round
 * (warm-up, then the measured window bracketed by server CPU readings), and `release` closes it.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { CatalogEntry } from "../systems/catalog.js";
import type { Endpoint, ListenSpec, TransportKind } from "../systems/system.js";
import { ChildFailure, ChildHandle, type ChildLaunch } from "./child-handle.js";
import type {
  ClientRequest,
  CpuTime,
  MeasureReply,
  ServerRequest,
  StartedListeners,
} from "./ipc.js";
import type { BenchPlan } from "./plan.js";
import type { RoundFailure, RoundMeasurement } from "./results.js";

const START_TIMEOUT_MS = 60_000; // tsx compiles the adapter on a possibly busy machine
const SLACK_MS = 30_000; // beyond a step's own budget, before the child is declared stuck
const SHORT_TIMEOUT_MS = 10_000;

/** One point of the matrix. */
export interface Point {
  readonly transport: TransportKind;
  readonly concurrency: number;
  readonly payloadBytes: number;
}

/** Unix socket paths in use; removed at exit too, since a killed server cannot remove its own. */
const socketPaths = new Set<string>();
let cleanupInstalled = false;

function removeSocketFiles(): void {
  for (const path of socketPaths) rmSync(path, { force: true });
  socketPaths.clear();
}

function listenSpec(transport: TransportKind, name: string): ListenSpec {
  if (transport === "tcp") return { transport, host: "127.0.0.1" };
  return { transport, path: `/tmp/parley-bench-${process.pid}-${name}.sock` };
}

function cpuSum(before: CpuTime, after: CpuTime): number {
  return after.user - before.user + (after.system - before.system);
}

/** A system's two child processes and what they can do. */
export class SystemRuntime {
  readonly endpoints: Partial<Record<TransportKind, Endpoint>> = {};
  readonly transportErrors: Partial<Record<TransportKind, string>> = {};
  /** Set when the system could not start at all. */
  unavailable: string | undefined;
  /** Set when a child died or hung mid-run; nothing more is measured. */
  failed: string | undefined;
  private listenSpecs: readonly ListenSpec[] = [];
  private readonly server: ChildHandle<ServerRequest>;
  private readonly client: ChildHandle<ClientRequest>;

  /** Spawns the children; with `cpuProfileDir` both write CPU profiles there as they exit. */
  constructor(
    readonly entry: CatalogEntry,
    launch: ChildLaunch,
    cpuProfileDir?: string,
  ) {
    const dir = (side: string): string | undefined =>
      cpuProfileDir === undefined ? undefined : join(cpuProfileDir, `${entry.name}-${side}`);
    const [server, client] = [`${entry.name} server`, `${entry.name} client`];
    this.server = new ChildHandle("./server-child.ts", server, launch, dir("server"));
    this.client = new ChildHandle("./client-child.ts", client, launch, dir("client"));
  }

  /** Starts the servers on every transport and loads the client; records why anything failed. */
  async start(transports: readonly TransportKind[]): Promise<void> {
    const listen = transports.map((transport) => listenSpec(transport, this.entry.name));
    this.listenSpecs = listen;
    for (const spec of listen) if (spec.transport === "unix") socketPaths.add(spec.path);
    if (!cleanupInstalled) {
      cleanupInstalled = true;
      process.on("exit", removeSocketFiles);
    }
    const [started, loaded] = await Promise.allSettled([
      this.server.request<StartedListeners>(
        { type: "start", system: this.entry.name, listen },
        START_TIMEOUT_MS,
      ),
      this.client.request({ type: "load", system: this.entry.name }, START_TIMEOUT_MS),
    ]);
    if (started.status === "rejected") return this.markUnavailable(started.reason);
    if (loaded.status === "rejected") return this.markUnavailable(loaded.reason);
    for (const transport of transports) {
      const outcome = started.value[transport];
      if (outcome === undefined) this.transportErrors[transport] = "server did not report it";
      else if ("error" in outcome) this.transportErrors[transport] = outcome.error;
      else this.endpoints[transport] = outcome.endpoint;
    }
    if (Object.keys(this.endpoints).length === 0) {
      const reasons = new Set(Object.values(this.transportErrors));
      this.markUnavailable(new Error([...reasons].join("; ")));
    }
  }

  /** Why this system cannot be measured at `transport`, or `undefined` when it can. */
  blockedAt(transport: TransportKind): string | undefined {
    return this.unavailable ?? this.failed ?? this.transportErrors[transport];
  }

  /** Connects the client for a point; returns why it could not, or `undefined`. */
  async open(point: Point): Promise<string | undefined> {
    const endpoint = this.endpoints[point.transport];
    if (endpoint === undefined) return this.blockedAt(point.transport) ?? "no endpoint";
    const { concurrency, payloadBytes } = point;
    return this.guard(() =>
      this.client.request({ type: "open", endpoint, concurrency, payloadBytes }, SLACK_MS),
    );
  }

  /** Measures one round at the open point. */
  async measure(round: number, plan: BenchPlan): Promise<RoundMeasurement | RoundFailure> {
    let measurement: RoundMeasurement | undefined;
    const error = await this.guard(async () => {
      measurement = await this.measureRound(round, plan);
    });
    return error === undefined ? measurement! : { round, error };
  }

  /** Closes the client connection of the point. */
  async release(): Promise<void> {
    await this.guard(() => this.client.request({ type: "release" }, SHORT_TIMEOUT_MS));
  }

  /** Runs `step`; a dead or stuck child marks the system failed. Returns the error, if any. */
  private async guard(step: () => Promise<unknown>): Promise<string | undefined> {
    if (this.failed !== undefined) return this.failed;
    try {
      await step();
      return undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ChildFailure) {
        this.failed = message;
        this.kill();
      }
      return message;
    }
  }

  /** Stops both children (killing them if they do not exit promptly) and removes socket files. */
  async stop(): Promise<void> {
    await Promise.all([this.server.stop({ type: "stop" }), this.client.stop({ type: "stop" })]);
    for (const spec of this.listenSpecs) {
      if (spec.transport !== "unix") continue;
      rmSync(spec.path, { force: true });
      socketPaths.delete(spec.path);
    }
  }

  /** Kills both children at once. */
  kill(): void {
    this.server.kill();
    this.client.kill();
  }

  private async measureRound(round: number, plan: BenchPlan): Promise<RoundMeasurement> {
    const { collectGarbage } = plan;
    if (collectGarbage) {
      await this.server.request({ type: "cpu", collectGarbage }, SHORT_TIMEOUT_MS);
    }
    // The server's CPU is read as the client opens and closes its measured window.
    const reads: Partial<Record<string, Promise<CpuTime>>> = {};
    const reply = await this.client.request<MeasureReply>(
      {
        type: "run",
        warmupMs: plan.warmupMs,
        warmupRequests: plan.warmupRequests,
        durationMs: plan.durationMs,
        maxRequests: plan.maxRequests,
        collectGarbage,
      },
      plan.warmupMs + plan.durationMs + SLACK_MS,
      (notice) => {
        const read = this.server.request<CpuTime>(
          { type: "cpu", collectGarbage: false },
          SHORT_TIMEOUT_MS,
        );
        read.catch(() => undefined); // awaited below; this only keeps it from being "unhandled"
        reads[notice] = read;
      },
    );
    if (reads.open === undefined || reads.close === undefined) {
      throw new Error("the client did not report its measured window");
    }
    const [serverBefore, serverAfter] = await Promise.all([reads.open, reads.close]);
    if (reply.completed === 0) throw new Error(`no request completed (${reply.firstError})`);
    const requests = reply.completed;
    return {
      round,
      requests,
      errors: reply.errors,
      ...(reply.firstError === undefined ? {} : { firstError: reply.firstError }),
      elapsedMs: reply.elapsedMs,
      requestsPerSecond: (requests * 1000) / reply.elapsedMs,
      latency: reply.latency,
      clientCpuUsPerRequest: (reply.cpu.user + reply.cpu.system) / requests,
      serverCpuUsPerRequest: cpuSum(serverBefore, serverAfter) / requests,
    };
  }

  private markUnavailable(reason: unknown): void {
    this.unavailable = reason instanceof Error ? reason.message : String(reason);
    this.kill();
  }
}
