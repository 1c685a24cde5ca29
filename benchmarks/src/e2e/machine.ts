/** The machine, runtime and package versions a run is recorded with. */
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchPlan } from "./plan.js";
import type { RunMeta } from "./results.js";

/** The benchmarks workspace directory. */
export const BENCHMARKS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The 1-minute load average, rounded to one decimal. */
export function loadAverageNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 10) / 10;
}

/** Describes this machine and the plan's settings; `loadAtStart` is the load when the run began. */
export function machineMeta(plan: BenchPlan, wallSeconds: number, loadAtStart: number): RunMeta {
  const cores = cpus();
  return {
    date: new Date().toISOString(),
    mode: plan.mode,
    children: plan.childMode,
    ...(plan.preload === undefined ? {} : { preload: plan.preload }),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    cores: cores.length,
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: { start: loadAtStart, end: loadAverageNow() },
    rounds: plan.rounds,
    warmupMs: plan.warmupMs,
    warmupRequests: plan.warmupRequests,
    durationMs: plan.durationMs,
    maxRequests: plan.maxRequests,
    wallSeconds: Math.round(wallSeconds),
  };
}

/**
 * Installed versions of `names`, read from the nearest `node_modules` (package `exports` maps often
 * hide `package.json` from `require.resolve`).
 */
export function packageVersions(names: readonly string[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) {
    for (let dir = BENCHMARKS_DIR; ; dir = dirname(dir)) {
      const manifest = join(dir, "node_modules", name, "package.json");
      if (existsSync(manifest)) {
        versions[name] = (
          JSON.parse(readFileSync(manifest, "utf8")) as { version: string }
        ).version;
        break;
      }
      if (dirname(dir) === dir) break;
    }
  }
  return versions;
}
