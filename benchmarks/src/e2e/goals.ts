/**
 * The performance goals, evaluated automatically on one run. Parley (validation on, the default an
 * application runs with) is the subject; each goal is checked at every point it covers and reports
 * its worst case, so "met" means met everywhere. The first goals compare with the other frameworks
 * and with raw node:net's promise client; the later ones ("the callback ceiling") with raw
 * node:net's callback client, which allocates nothing per request and so shows Parley's whole cost.
 */
import { formatRatio, pointName } from "./format.js";
import type {
  GoalVerdict,
  MedianFigures,
  PointResult,
  SystemInfo,
  SystemPointResult,
} from "./results.js";

const SUBJECT = "parley";

/** One comparison at one point: the ratio and whether it meets the goal. */
interface Check {
  readonly where: string;
  readonly ratio: number;
  readonly ok: boolean;
}

interface GoalSpec {
  readonly id: string;
  readonly goal: string;
  /** What the reported ratio divides. */
  readonly measure: string;
  /** Which points the goal covers. */
  covers(point: PointResult): boolean;
  /** The check at one point, or `undefined` when a needed figure is missing there. */
  check(
    subject: MedianFigures,
    figures: (system: string) => MedianFigures | undefined,
    result: SystemPointResult,
  ): Omit<Check, "where"> | undefined;
  /** Of two checks, which is worse (to report). */
  worse(a: Check, b: Check): Check;
}

const FRAMEWORKS = ["zeromq", "jsonrpc", "http", "grpc"] as const;
const LABELS: Record<string, string> = {
  zeromq: "zeromq",
  jsonrpc: "vscode-jsonrpc",
  http: "HTTP/1.1",
  grpc: "grpc-js",
};

const lowerRatio = (a: Check, b: Check): Check => (b.ratio < a.ratio ? b : a);
const higherRatio = (a: Check, b: Check): Check => (b.ratio > a.ratio ? b : a);

function bestOf(
  figures: (system: string) => MedianFigures | undefined,
  pick: (f: MedianFigures) => number,
  prefer: "max" | "min",
): number | undefined {
  const values = FRAMEWORKS.map((name) => figures(name))
    .filter((f) => f !== undefined)
    .map(pick);
  if (values.length === 0) return undefined;
  return prefer === "max" ? Math.max(...values) : Math.min(...values);
}

function multipleOf(system: string, times: number): GoalSpec {
  return {
    id: `c256-1k-vs-${system}`,
    goal: `at concurrency 256 with 1 KiB, at least ${times}× ${LABELS[system]} req/s`,
    measure: `Parley / ${LABELS[system]} req/s`,
    covers: (p) => p.concurrency === 256 && p.payloadBytes === 1024,
    check: (subject, figures) => {
      const other = figures(system);
      if (other === undefined) return undefined;
      const ratio = subject.requestsPerSecond / other.requestsPerSecond;
      return { ratio, ok: ratio >= times };
    },
    worse: lowerRatio,
  };
}

const GOALS: readonly GoalSpec[] = [
  {
    id: "ahead-everywhere",
    goal: "ahead of every other framework's req/s on every point",
    measure: "Parley / best other framework req/s",
    covers: () => true,
    check: (subject, figures) => {
      const best = bestOf(figures, (f) => f.requestsPerSecond, "max");
      if (best === undefined) return undefined;
      return { ratio: subject.requestsPerSecond / best, ok: subject.requestsPerSecond > best };
    },
    worse: lowerRatio,
  },
  multipleOf("zeromq", 5),
  multipleOf("jsonrpc", 10),
  multipleOf("http", 10),
  multipleOf("grpc", 40),
  {
    id: "c1-p50-vs-frameworks",
    goal: "at concurrency 1, lower p50 than every other framework",
    measure: "Parley p50 / best other framework p50",
    covers: (p) => p.concurrency === 1,
    check: (subject, figures) => {
      const best = bestOf(figures, (f) => f.p50Us, "min");
      if (best === undefined) return undefined;
      return { ratio: subject.p50Us / best, ok: subject.p50Us < best };
    },
    worse: higherRatio,
  },
  {
    id: "c256-vs-raw",
    goal: "at concurrency 256, at least 0.25× raw node:net req/s",
    measure: "Parley / raw req/s (median of per-round ratios)",
    covers: (p) => p.concurrency === 256,
    check: (_subject, _figures, { vsRaw }) => {
      if (vsRaw === undefined) return undefined;
      const ratio = vsRaw.requestsPerSecond;
      return { ratio, ok: ratio >= 0.25 };
    },
    worse: lowerRatio,
  },
  {
    id: "c1-p50-vs-raw",
    goal: "at concurrency 1, p50 within 1.15× of raw node:net",
    measure: "Parley p50 / raw p50 (median of per-round ratios)",
    covers: (p) => p.concurrency === 1,
    check: (_subject, _figures, { vsRaw }) => {
      if (vsRaw === undefined) return undefined;
      const ratio = vsRaw.p50;
      return { ratio, ok: ratio <= 1.15 };
    },
    worse: higherRatio,
  },
  {
    id: "64k-ahead-of-zeromq-http",
    goal: "at 64 KiB, ahead of zeromq and HTTP/1.1 req/s at every concurrency",
    measure: "Parley / the faster of zeromq and HTTP/1.1 req/s",
    covers: (p) => p.payloadBytes === 64 * 1024,
    check: (subject, figures) => {
      const others = ["zeromq", "http"].map(figures);
      // Judged only where both ran: beating one of them is not the goal.
      if (others.some((f) => f === undefined)) return undefined;
      const best = Math.max(...others.map((f) => f!.requestsPerSecond));
      return { ratio: subject.requestsPerSecond / best, ok: subject.requestsPerSecond > best };
    },
    worse: lowerRatio,
  },
  vsCeiling("64k-vs-ceiling", "at 64 KiB, c=64 and c=256", 0.6, (p) => {
    return p.payloadBytes === 64 * 1024 && p.concurrency >= 64;
  }),
  vsCeiling("small-c256-vs-ceiling", "at 64 B and 1 KiB, c=256", 0.3, (p) => {
    return p.payloadBytes <= 1024 && p.concurrency === 256;
  }),
  {
    id: "client-cpu-vs-server",
    goal: "client CPU per call no higher than the server's at 64 B and 1 KiB, c=256",
    measure: "Parley client / server CPU µs per call",
    covers: (p) => p.payloadBytes <= 1024 && p.concurrency === 256,
    check: (subject) => {
      const ratio = subject.clientCpuUsPerRequest / subject.serverCpuUsPerRequest;
      return { ratio, ok: ratio <= 1 };
    },
    worse: higherRatio,
  },
  latencyVsCeiling("64k-c1-p99-vs-ceiling", "p99", 64 * 1024, 3),
  latencyVsCeiling("small-c1-p50-vs-ceiling", "p50", 1024, 1.15),
];

function vsCeiling(
  id: string,
  where: string,
  least: number,
  covers: (p: PointResult) => boolean,
): GoalSpec {
  return {
    id,
    goal: `${where}, at least ${least}× the callback ceiling's req/s`,
    measure: "Parley / raw callback client req/s (median of per-round ratios)",
    covers,
    check: (_subject, _figures, { vsCeiling }) => {
      if (vsCeiling === undefined) return undefined;
      const ratio = vsCeiling.requestsPerSecond;
      return { ratio, ok: ratio >= least };
    },
    worse: lowerRatio,
  };
}

/** At c=1: `percentile` within `most`× the callback ceiling's, at 64 KiB or at payloads up to 1 KiB. */
function latencyVsCeiling(
  id: string,
  percentile: "p50" | "p99",
  payload: number,
  most: number,
): GoalSpec {
  const large = payload > 1024;
  return {
    id,
    goal: `at c=1 and ${large ? "64 KiB" : "64 B and 1 KiB"}, ${percentile} within ${most}× the callback ceiling's`,
    measure: `Parley ${percentile} / raw callback client ${percentile} (median of per-round ratios)`,
    covers: (p) =>
      p.concurrency === 1 && (large ? p.payloadBytes === payload : p.payloadBytes <= payload),
    check: (_subject, _figures, { vsCeiling }) => {
      const ratio = vsCeiling?.[percentile];
      if (ratio === undefined) return undefined;
      return { ratio, ok: ratio <= most };
    },
    worse: higherRatio,
  };
}

function evaluate(spec: GoalSpec, points: readonly PointResult[], why: string): GoalVerdict {
  const checks: Check[] = [];
  // A point where Parley ran and failed counts against the goal: it was not met there.
  const failedAt: string[] = [];
  for (const point of points.filter(spec.covers)) {
    const where = pointName(point.transport, point.concurrency, point.payloadBytes);
    const results = (system: string) => point.systems.find((s) => s.system === system);
    const figures = (system: string): MedianFigures | undefined => results(system)?.median;
    const subject = figures(SUBJECT);
    if (subject === undefined) {
      if (results(SUBJECT)?.status === "error") failedAt.push(where);
      continue;
    }
    const outcome = spec.check(subject, figures, results(SUBJECT)!);
    if (outcome !== undefined) checks.push({ ...outcome, where });
  }
  const base = { id: spec.id, goal: `Parley ${spec.goal}` };
  const failures =
    failedAt.length === 0 ? "" : `Parley failed at ${failedAt.length} (${failedAt.join(", ")})`;
  if (checks.length === 0) {
    if (failedAt.length > 0) return { ...base, status: "missed", figures: failures };
    return { ...base, status: "not evaluated", figures: why };
  }
  const worst = checks.reduce(spec.worse);
  const missed = checks.filter((c) => !c.ok).length;
  const covered = `${checks.length} point${checks.length === 1 ? "" : "s"}`;
  const summary = [
    `${spec.measure}: worst ${formatRatio(worst.ratio)} (${worst.where}) of ${covered}`,
    ...(missed === 0 ? [] : [`missed at ${missed}`]),
    ...(failures === "" ? [] : [failures]),
  ].join("; ");
  return { ...base, status: missed + failedAt.length === 0 ? "met" : "missed", figures: summary };
}

/** Evaluates every goal; goals that need a system that did not run are "not evaluated". */
export function evaluateGoals(
  points: readonly PointResult[],
  systems: readonly SystemInfo[],
): GoalVerdict[] {
  const subject = systems.find((s) => s.name === SUBJECT);
  const why =
    subject === undefined
      ? "Parley was not part of this run"
      : subject.status === "unavailable"
        ? `Parley unavailable: ${subject.reason}`
        : "no point of this run has figures for both Parley and what it is compared with";
  return GOALS.map((spec) => evaluate(spec, points, why));
}
