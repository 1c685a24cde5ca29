/** The shape of `results/latest.json`: everything the report and the goals read. */
import type { SystemRole } from "../systems/catalog.js";
import type { TransportKind } from "../systems/system.js";
import type { LatencySummary } from "./histogram.js";

/** One measured round of one system at one point. */
export interface RoundMeasurement {
  readonly round: number;
  /** Requests completed in the measured window. */
  readonly requests: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly elapsedMs: number;
  readonly requestsPerSecond: number;
  readonly latency: LatencySummary;
  /** Client process CPU time (user + system) per completed request, microseconds. */
  readonly clientCpuUsPerRequest: number;
  /** Server process CPU time (user + system) per completed request, microseconds. */
  readonly serverCpuUsPerRequest: number;
}

/** A round that produced no measurement, and why. */
export interface RoundFailure {
  readonly round: number;
  readonly error: string;
}

/** Medians over the successful rounds of one system at one point. */
export interface MedianFigures {
  readonly rounds: number;
  readonly requestsPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly clientCpuUsPerRequest: number;
  readonly serverCpuUsPerRequest: number;
  /** Failed requests summed over every round. */
  readonly errors: number;
}

/** One system at one point. */
export interface SystemPointResult {
  readonly system: string;
  /** `ok` when at least one round measured; otherwise why there is no figure. */
  readonly status: "ok" | "unavailable" | "error";
  readonly reason?: string;
  readonly rounds: readonly (RoundMeasurement | RoundFailure)[];
  readonly median?: MedianFigures;
  /** Ratios to raw node:net at the same point: req/s ratio and p50 ratio. */
  readonly vsRaw?: RatioToBaseline;
  /** The same ratios to the callback ceiling (`raw-callback`), when it ran at this point. */
  readonly vsCeiling?: RatioToBaseline;
}

/** Ratios of one system's figures to a baseline's at the same point (median of per-round ratios). */
export interface RatioToBaseline {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99?: number;
}

/** One point of the matrix. */
export interface PointResult {
  readonly transport: TransportKind;
  readonly concurrency: number;
  readonly payloadBytes: number;
  readonly systems: readonly SystemPointResult[];
}

/** A system's identity and availability for the whole run. */
export interface SystemInfo {
  readonly name: string;
  readonly label: string;
  readonly role: SystemRole;
  readonly versions: Readonly<Record<string, string>>;
  /** `ok`, or `unavailable` when it could not start at all (then `reason` says why). */
  readonly status: "ok" | "unavailable";
  readonly reason?: string;
  /** Transports it could not be measured over, with the reason. */
  readonly transportErrors: Readonly<Partial<Record<TransportKind, string>>>;
}

/** The machine and the settings of the run. */
export interface RunMeta {
  readonly date: string;
  readonly mode: string;
  /** How the children ran: `source` (tsx, packages' src/) or `compiled` (dist/, plain node). */
  readonly children?: "source" | "compiled";
  /** A module every child imported before anything else (`--preload`), to carry its heap. */
  readonly preload?: string;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryGiB: number;
  /** 1-minute load average when the run started and when it ended (other work on the machine). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly rounds: number;
  readonly warmupMs: number;
  readonly warmupRequests: number;
  readonly durationMs: number;
  readonly maxRequests: number;
  readonly wallSeconds: number;
}

/** Verdict on one goal of the issue. */
export interface GoalVerdict {
  readonly id: string;
  readonly goal: string;
  readonly status: "met" | "missed" | "not evaluated";
  /** The deciding figure(s), e.g. "worst 0.31x (unix, c=256, 64 KiB)". */
  readonly figures: string;
}

/** The whole results file. */
export interface RunResults {
  readonly meta: RunMeta;
  readonly systems: readonly SystemInfo[];
  readonly points: readonly PointResult[];
  readonly goals: readonly GoalVerdict[];
}

/** True for a round that measured something. */
export function isMeasurement(round: RoundMeasurement | RoundFailure): round is RoundMeasurement {
  return "requestsPerSecond" in round;
}
