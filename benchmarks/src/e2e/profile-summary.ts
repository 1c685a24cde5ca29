/**
 * Summarises V8 CPU profiles (`.cpuprofile`, as written by `--cpu-prof`) into the functions and the
 * files that spent the most self time (idle excluded), so a missed goal can be explained by where
 * the time went. Profile a long single point to keep start-up out of the picture:
 *
 *   tsx src/e2e/run.ts --systems=parley --transports=tcp --concurrency=256 --payloads=1024 \
 *     --rounds=1 --duration-ms=10000 --cpu-prof=parley --out=/tmp/prof
 *
 *   tsx src/e2e/profile-summary.ts results/profiles/parley-server [--top=25]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** Self time by key, in percent of all samples. */
export interface ProfileShare {
  readonly key: string;
  readonly percent: number;
}

/** Where the samples of a set of profiles fell: by function and by file. */
export interface ProfileSummary {
  readonly samples: number;
  readonly byFunction: readonly ProfileShare[];
  readonly byFile: readonly ProfileShare[];
}

function shortUrl(url: string, root: string): string {
  if (url === "") return "(native)";
  const path = url.startsWith("file://") ? new URL(url).pathname : url;
  const rel = relative(root, path);
  const modules = rel.lastIndexOf("node_modules/");
  return modules >= 0 ? rel.slice(modules + "node_modules/".length) : rel;
}

function top(counts: Map<string, number>, total: number, limit: number): ProfileShare[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, hits]) => ({ key, percent: (hits * 100) / total }));
}

/** Summarises the profiles in `files`, naming files relative to `root`. */
export function summariseProfiles(
  files: readonly string[],
  root: string,
  limit = 25,
): ProfileSummary {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      // Idle samples say nothing about cost; shares are of the time the process was busy.
      if (hits === 0 || functionName === "(idle)") continue;
      const where = shortUrl(url, root);
      const name = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
      byFile.set(where, (byFile.get(where) ?? 0) + hits);
      total += hits;
    }
  }
  return {
    samples: total,
    byFunction: top(byFunction, total, limit),
    byFile: top(byFile, total, limit),
  };
}

function profilesIn(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => join(path, name));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const limit = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 25);
  const paths = args.filter((a) => !a.startsWith("--"));
  const files = paths.flatMap(profilesIn);
  const summary = summariseProfiles(files, process.cwd(), limit);
  const print = (title: string, shares: readonly ProfileShare[]): void => {
    process.stdout.write(`\n${title}\n`);
    for (const s of shares)
      process.stdout.write(`${s.percent.toFixed(1).padStart(6)}%  ${s.key}\n`);
  };
  process.stdout.write(`${files.length} profile(s), ${summary.samples} samples\n`);
  print("self time by file", summary.byFile);
  print("self time by function", summary.byFunction);
}
