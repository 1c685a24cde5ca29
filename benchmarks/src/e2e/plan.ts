/**
 * What a run measures and for how long: three presets (`--quick`, `--full`, `--tiny`) and flags that
 * override any part of them. Every loop in the harness is bounded by these numbers: a measurement
 * stops at `durationMs` or `maxRequests`, whichever comes first, and so does its warm-up.
 */
import { parseArgs } from "node:util";
import { CATALOG, catalogEntry } from "../systems/catalog.js";
import { TRANSPORTS, type TransportKind } from "../systems/system.js";
import type { ChildMode } from "./child-handle.js";

/** A fully resolved run. */
export interface BenchPlan {
  readonly mode: "quick" | "full" | "tiny";
  readonly systems: readonly string[];
  readonly transports: readonly TransportKind[];
  readonly concurrencies: readonly number[];
  readonly payloads: readonly number[];
  readonly rounds: number;
  readonly warmupMs: number;
  readonly warmupRequests: number;
  readonly durationMs: number;
  readonly maxRequests: number;
  /** Run a full GC in client and server before each measured window (steadier, slower). */
  readonly collectGarbage: boolean;
  /** Directory the results and report go to. */
  readonly outDir: string;
  /** Also rewrite the "## End to end" section of benchmarks/README.md; write `readme.*` too. */
  readonly updateReadme: boolean;
  /** Systems whose server and client children write V8 CPU profiles to `<outDir>/profiles/`. */
  readonly profileSystems: readonly string[];
  /** Measure nothing: re-render the reports (and goals) of this results file. */
  readonly renderFrom: string | undefined;
  /** Children from source through tsx, or compiled (`dist/`, plain node) as users run them. */
  readonly childMode: ChildMode;
  /** A module every child imports first (`--preload`): all systems then carry the same heap. */
  readonly preload: string | undefined;
}

type Timing = Pick<
  BenchPlan,
  "rounds" | "warmupMs" | "warmupRequests" | "durationMs" | "maxRequests" | "collectGarbage"
>;
type Matrix = Pick<BenchPlan, "transports" | "concurrencies" | "payloads">;

/** The matrix: TCP and Unix, concurrency 1/64/256, payloads 64 B/1 KiB/64 KiB. */
export const FULL_MATRIX: Matrix = {
  transports: TRANSPORTS,
  concurrencies: [1, 64, 256],
  payloads: [64, 1024, 64 * 1024],
};

/**
 * Presets, sized for a 2-core machine with all 7 systems: quick under 2 minutes, full under 15.
 * Quick keeps every point a goal is judged at (concurrency 1 and 256, every payload, both
 * transports) and drops concurrency 64: at 256 the slowest systems need a quarter of a second per
 * request, so their rounds cannot be shortened further.
 */
export const PRESETS: Readonly<Record<BenchPlan["mode"], Matrix & Timing>> = {
  quick: {
    ...FULL_MATRIX,
    concurrencies: [1, 256],
    rounds: 3,
    warmupMs: 40,
    warmupRequests: 5_000,
    durationMs: 120,
    maxRequests: 200_000,
    collectGarbage: false,
  },
  full: {
    ...FULL_MATRIX,
    rounds: 3,
    warmupMs: 250,
    warmupRequests: 50_000,
    durationMs: 1_000,
    maxRequests: 2_000_000,
    collectGarbage: true,
  },
  // One point, a few hundred requests per round: proves the machinery works, measures nothing.
  tiny: {
    transports: ["tcp"],
    concurrencies: [4],
    payloads: [1024],
    rounds: 3,
    warmupMs: 5_000,
    warmupRequests: 50,
    durationMs: 10_000,
    maxRequests: 300,
    collectGarbage: true,
  },
};

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
}

function positiveInt(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`--${name} must be a positive integer, got "${value}"`);
  }
  return parsed;
}

function intList(name: string, value: string | undefined): number[] | undefined {
  return list(value)?.map((item) => positiveInt(name, item));
}

function transportList(value: string | undefined): TransportKind[] | undefined {
  return list(value)?.map((item) => {
    if (!(TRANSPORTS as readonly string[]).includes(item)) {
      throw new Error(`--transports accepts ${TRANSPORTS.join(", ")}; got "${item}"`);
    }
    return item as TransportKind;
  });
}

/** Usage text for `--help`. */
export const USAGE = `usage: run.ts [--quick | --full | --tiny] [options]
  --systems=a,b         systems to run (${CATALOG.map((e) => e.name).join(", ")}); raw is always added
  --transports=tcp,unix --concurrency=1,64,256 --payloads=64,1024,65536
  --rounds=N --warmup-ms=N --warmup-requests=N --duration-ms=N --max-requests=N
  --gc | --no-gc        full GC in client and server before each measured window (full: on)
  --out=DIR             where results go (default benchmarks/results)
  --readme              rewrite the "## End to end" section of benchmarks/README.md
  --cpu-prof=a,b        write V8 CPU profiles of these systems' children to DIR/profiles/
  --render=FILE         measure nothing; rewrite the reports (and goals) from a results JSON
  --compiled            run the children as users run code: dist/ under plain node (npm run build
                        first); the default runs them from source through tsx
  --preload=MODULE      every child (each system's client and server) imports MODULE first, so
                        all of them carry the same heap (e.g. --preload=@parley/rpc)`;

/** Parses the command line into a plan; throws with a message naming the bad flag. */
export function parsePlan(argv: readonly string[], defaultOutDir: string): BenchPlan {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: "boolean" },
      full: { type: "boolean" },
      tiny: { type: "boolean" },
      systems: { type: "string" },
      transports: { type: "string" },
      concurrency: { type: "string" },
      payloads: { type: "string" },
      rounds: { type: "string" },
      "warmup-ms": { type: "string" },
      "warmup-requests": { type: "string" },
      "duration-ms": { type: "string" },
      "max-requests": { type: "string" },
      gc: { type: "boolean" },
      "no-gc": { type: "boolean" },
      out: { type: "string" },
      readme: { type: "boolean" },
      "cpu-prof": { type: "string" },
      render: { type: "string" },
      compiled: { type: "boolean" },
      preload: { type: "string" },
    },
  });
  const modes = (["quick", "full", "tiny"] as const).filter((mode) => values[mode] === true);
  if (modes.length > 1)
    throw new Error(`choose one of --quick, --full, --tiny (got ${modes.join(", ")})`);
  const mode = modes[0] ?? "quick";
  const preset = PRESETS[mode];
  const requested = list(values.systems) ?? CATALOG.map((entry) => entry.name);
  for (const name of requested) catalogEntry(name); // throws on an unknown name
  // raw node:net is the yardstick every ratio divides by, so it always runs.
  const systems = CATALOG.map((e) => e.name).filter((n) => n === "raw" || requested.includes(n));
  const int = (name: string, value: string | undefined, fallback: number): number =>
    value === undefined ? fallback : positiveInt(name, value);
  return {
    mode,
    systems,
    transports: transportList(values.transports) ?? preset.transports,
    concurrencies: intList("concurrency", values.concurrency) ?? preset.concurrencies,
    payloads: intList("payloads", values.payloads) ?? preset.payloads,
    rounds: int("rounds", values.rounds, preset.rounds),
    warmupMs: int("warmup-ms", values["warmup-ms"], preset.warmupMs),
    warmupRequests: int("warmup-requests", values["warmup-requests"], preset.warmupRequests),
    durationMs: int("duration-ms", values["duration-ms"], preset.durationMs),
    maxRequests: int("max-requests", values["max-requests"], preset.maxRequests),
    collectGarbage: values["no-gc"] === true ? false : values.gc === true || preset.collectGarbage,
    outDir: values.out ?? defaultOutDir,
    updateReadme: values.readme === true,
    profileSystems: (list(values["cpu-prof"]) ?? []).map((name) => catalogEntry(name).name),
    renderFrom: values.render,
    childMode: values.compiled === true ? "compiled" : "source",
    preload: values.preload,
  };
}
