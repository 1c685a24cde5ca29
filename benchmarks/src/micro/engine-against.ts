// `npm run bench:engine -- --against=<commit>` (in benchmarks/): the engine micro (engine.ts) of
// this tree against the same file at another commit, measured in one run, as "before and after"
// goals are stated. Each tree's engine.ts is bundled as users run the engine (esbuild, workspace
// packages from their sources, zod and msgpackr from this checkout's node_modules, plain `node`
// with no loader); then the two bundles run one after the other, `--pairs` times, so both meet
// the same moments of a shared, noisy machine. What it reports is the median of the pairs' ratios,
// not a ratio of medians: a pair's two runs are minutes closer than two halves of a run would be.
// Flags: --against=<commit> (required), --pairs=N (default 7), --calls=N (per round, default
// 50000), --rounds=N (default 5); --calls and --rounds are passed to both engine.ts runs.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { median } from "../e2e/medians.js";
import { numberFlag, stringFlag } from "./cli.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** Where the bundles go: under node_modules, so their `zod` and `msgpackr` resolve to this checkout's. */
const OUT_DIR = join(REPO, "node_modules/.cache/parley-engine-against");
const ENTRY = "benchmarks/src/micro/engine.ts";

/** One engine.ts run: CPU µs per round trip (median round), untyped and with a contract. */
export interface EngineFigures {
  untyped: number;
  contract: number;
}

/**
 * The two medians engine.ts prints: the last number on its `untyped` line and on its
 * `with a contract` line. Throws when either is missing (the file's output changed).
 */
export function parseEngineOutput(output: string): EngineFigures {
  const last = (label: string): number => {
    const line = output.split("\n").find((l) => l.startsWith(label));
    const value = Number(line?.trim().split(/\s+/).at(-1));
    if (line === undefined || !Number.isFinite(value)) {
      throw new Error(`engine.ts printed no "${label}" figure:\n${output}`);
    }
    return value;
  };
  return { untyped: last("untyped"), contract: last("with a contract") };
}

/**
 * Resolves `@parley/<package>[/<subpath>]` to that package's source in `root` (the export's
 * `@parley/source` condition), so a tree checked out without node_modules bundles its own code.
 */
function workspaceSources(root: string): Plugin {
  return {
    name: "parley-workspace-sources",
    setup(b) {
      b.onResolve({ filter: /^@parley\// }, (args) => {
        const [, name, ...rest] = args.path.split("/");
        const dir = join(root, "packages", name!);
        const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
        const key = rest.length === 0 ? "." : `./${rest.join("/")}`;
        const source = manifest.exports?.[key]?.["@parley/source"];
        if (typeof source !== "string") {
          return { errors: [{ text: `${args.path}: no @parley/source export in ${dir}` }] };
        }
        return { path: join(dir, source) };
      });
    },
  };
}

/** Bundles `root`'s engine.ts into `outfile`. */
async function bundle(root: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [join(root, ENTRY)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    external: ["zod", "msgpackr"],
    nodePaths: [join(REPO, "node_modules")],
    plugins: [workspaceSources(root)],
    logLevel: "error",
  });
}

/** `commit`'s packages and micro benchmarks, unpacked into a fresh directory. */
function checkout(commit: string): { dir: string; id: string } {
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", REPO, ...args], { encoding: "utf8" });
  const id = git("rev-parse", "--verify", `${commit}^{commit}`).trim();
  const dir = mkdtempSync(join(tmpdir(), "parley-engine-against-"));
  const archive = execFileSync("git", ["-C", REPO, "archive", id, "packages", "benchmarks/src"], {
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  return { dir, id };
}

/** Runs a bundle once; its figures. */
function run(bundlePath: string, calls: number, rounds: number): EngineFigures {
  const output = execFileSync(
    process.execPath,
    [bundlePath, `--calls=${calls}`, `--rounds=${rounds}`],
    {
      encoding: "utf8",
    },
  );
  return parseEngineOutput(output);
}

async function main(): Promise<void> {
  const against = stringFlag("against");
  if (against === undefined) throw new RangeError("--against=<commit> is required");
  const pairs = numberFlag("pairs", 7);
  const calls = numberFlag("calls", 50_000);
  const rounds = numberFlag("rounds", 5);
  const base = checkout(against);
  mkdirSync(OUT_DIR, { recursive: true });
  const out = mkdtempSync(join(OUT_DIR, "run-")); // runs at the same time keep apart
  try {
    const before = join(out, "before.mjs");
    const after = join(out, "after.mjs");
    await bundle(base.dir, before);
    await bundle(REPO, after);
    console.log(
      `engine.ts at ${base.id.slice(0, 12)} (before) and in this tree (after), bundled, Node ` +
        `${process.version}: ${pairs} pairs, each ${rounds} rounds of ${calls} calls per run; ` +
        "CPU µs per round trip (median round)\n",
    );
    console.log("pair   before untyped / contract   after untyped / contract");
    const ratios = { untyped: [] as number[], contract: [] as number[] };
    for (let i = 1; i <= pairs; i++) {
      const b = run(before, calls, rounds);
      const a = run(after, calls, rounds);
      ratios.untyped.push(b.untyped / a.untyped);
      ratios.contract.push(b.contract / a.contract);
      const cell = (f: EngineFigures) => `${f.untyped.toFixed(2)} / ${f.contract.toFixed(2)}`;
      console.log(`${String(i).padStart(4)}   ${cell(b).padStart(24)}   ${cell(a).padStart(23)}`);
    }
    console.log(
      `\nbefore / after, median of the pairs' ratios: untyped ${median(ratios.untyped).toFixed(2)}x, ` +
        `with a contract ${median(ratios.contract).toFixed(2)}x (above 1: the engine costs less now)`,
    );
  } finally {
    rmSync(base.dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
