/**
 * Runs a plan: starts every system's server and client children, then walks the matrix point by
 * point, measuring each point `rounds` times with the systems interleaved inside every round (the
 * machine's speed drifts, so systems are only compared inside one run and one point). The order of
 * systems rotates from round to round so no system always runs first or last.
 */
import { join } from "node:path";
import { catalogEntry } from "../systems/catalog.js";
import { pointName } from "./format.js";
import { evaluateGoals } from "./goals.js";
import { loadAverageNow, machineMeta, packageVersions } from "./machine.js";
import { systemPointResult, withRatios } from "./medians.js";
import type { BenchPlan } from "./plan.js";
import { Progress } from "./progress.js";
import type {
  PointResult,
  RoundFailure,
  RoundMeasurement,
  RunResults,
  SystemInfo,
} from "./results.js";
import { type Point, SystemRuntime } from "./system-runtime.js";

/** Overhead per measurement beyond warm-up and measuring (connect, GC, IPC), for the first ETA. */
const STEP_OVERHEAD_MS = 60;

function pointsOf(plan: BenchPlan): Point[] {
  const points: Point[] = [];
  for (const transport of plan.transports) {
    for (const concurrency of plan.concurrencies) {
      for (const payloadBytes of plan.payloads)
        points.push({ transport, concurrency, payloadBytes });
    }
  }
  return points;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function startAll(plan: BenchPlan, progress: Progress): Promise<SystemRuntime[]> {
  const profiles = join(plan.outDir, "profiles");
  const runtimes = plan.systems.map(
    (name) =>
      new SystemRuntime(
        catalogEntry(name),
        { mode: plan.childMode, preload: plan.preload },
        plan.profileSystems.includes(name) ? profiles : undefined,
      ),
  );
  await Promise.all(runtimes.map((runtime) => runtime.start(plan.transports)));
  for (const runtime of runtimes) {
    if (runtime.unavailable !== undefined) {
      progress.note(`${runtime.entry.name}: unavailable: ${runtime.unavailable}`);
      continue;
    }
    for (const [transport, reason] of Object.entries(runtime.transportErrors)) {
      progress.note(`${runtime.entry.name} over ${transport}: unavailable: ${reason}`);
    }
  }
  return runtimes;
}

/**
 * Measures one point: each system's client connects at its first round and stays connected for the
 * next ones; after a failed round it reconnects, so one failure does not sink the rounds after it.
 */
async function measurePoint(
  point: Point,
  runtimes: readonly SystemRuntime[],
  plan: BenchPlan,
  progress: Progress,
): Promise<PointResult> {
  const name = pointName(point.transport, point.concurrency, point.payloadBytes);
  const rounds = new Map<string, (RoundMeasurement | RoundFailure)[]>();
  for (const runtime of runtimes) rounds.set(runtime.entry.name, []);
  const connected = new Set<SystemRuntime>();
  try {
    for (let round = 1; round <= plan.rounds; round++) {
      for (const runtime of rotate(runtimes, round - 1)) {
        if (runtime.blockedAt(point.transport) !== undefined) {
          progress.advance();
          continue;
        }
        progress.step(`${name} · ${runtime.entry.name} · round ${round}/${plan.rounds}`);
        const outcome = await measureRound(runtime, connected, point, round, plan);
        if ("error" in outcome) progress.note(`${name} ${runtime.entry.name}: ${outcome.error}`);
        rounds.get(runtime.entry.name)!.push(outcome);
        progress.advance();
      }
    }
  } finally {
    for (const runtime of connected) await runtime.release();
  }
  const systems = runtimes.map((runtime) => {
    const own = rounds.get(runtime.entry.name)!;
    const blocked = own.length === 0 ? runtime.blockedAt(point.transport) : undefined;
    return systemPointResult(runtime.entry.name, own, blocked);
  });
  return withRatios({ ...point, systems });
}

async function measureRound(
  runtime: SystemRuntime,
  connected: Set<SystemRuntime>,
  point: Point,
  round: number,
  plan: BenchPlan,
): Promise<RoundMeasurement | RoundFailure> {
  if (!connected.has(runtime)) {
    const error = await runtime.open(point);
    if (error !== undefined) return { round, error: `cannot connect: ${error}` };
    connected.add(runtime);
  }
  const outcome = await runtime.measure(round, plan);
  if ("error" in outcome) {
    connected.delete(runtime);
    await runtime.release();
  }
  return outcome;
}

function systemInfo(runtime: SystemRuntime): SystemInfo {
  const { entry } = runtime;
  return {
    name: entry.name,
    label: entry.label,
    role: entry.role,
    versions: packageVersions(entry.packages),
    status: runtime.unavailable === undefined ? "ok" : "unavailable",
    ...(runtime.unavailable === undefined ? {} : { reason: runtime.unavailable }),
    transportErrors: { ...runtime.transportErrors },
  };
}

/** Runs the whole plan and returns the results (children are always stopped, even on error). */
export async function runPlan(plan: BenchPlan): Promise<RunResults> {
  const startedAt = performance.now();
  const loadAtStart = loadAverageNow();
  const points = pointsOf(plan);
  const steps = points.length * plan.rounds * plan.systems.length;
  const stepMs = plan.warmupMs + plan.durationMs + STEP_OVERHEAD_MS;
  const progress = new Progress(steps, stepMs);
  progress.note(
    `${plan.mode}: ${points.length} points × ${plan.rounds} rounds × ${plan.systems.length} systems`,
  );
  const runtimes = await startAll(plan, progress);
  try {
    const results: PointResult[] = [];
    for (const point of points) results.push(await measurePoint(point, runtimes, plan, progress));
    progress.finish();
    const systems = runtimes.map(systemInfo);
    const meta = machineMeta(plan, (performance.now() - startedAt) / 1000, loadAtStart);
    return { meta, systems, points: results, goals: evaluateGoals(results, systems) };
  } finally {
    await Promise.all(runtimes.map((runtime) => runtime.stop()));
  }
}
