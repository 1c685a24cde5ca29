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

type Figures = (system: string) => MedianFigures | undefined;

interface GoalSpec {
  readonly id: string;
  readonly goal: string;
  /** What the reported ratio divides. */
  readonly measure: string;
  /** Which points the goal covers. */
  covers(point: PointResult): boolean;
  /** The ratio at one point, or `undefined` when a needed figure is missing there. */
  ratio(subject: MedianFigures, figures: Figures, result: SystemPointResult): number | undefined;
  /** Met when the ratio is at least (`min`) or at most (`max`) `limit`; `strict` excludes it. */
  readonly bound: { readonly side: "min" | "max"; readonly limit: number; readonly strict?: true };
}

const FRAMEWORKS = ["zeromq", "jsonrpc", "http", "grpc"] as const;
const LABELS: Record<string, string> = {
  zeromq: "zeromq",
  jsonrpc: "vscode-jsonrpc",
  http: "HTTP/1.1",
  grpc: "grpc-js",
};
const KIB64 = 64 * 1024;

/** The best figure among the other frameworks that ran at a point (`best` picks max or min). */
function bestOf(
  figures: Figures,
  pick: (f: MedianFigures) => number,
  best: (...values: number[]) => number,
  systems: readonly string[] = FRAMEWORKS,
): number | undefined {
  const values = systems.flatMap((name) => figures(name) ?? []).map(pick);
  return values.length === 0 ? undefined : best(...values);
}

const rps = (f: MedianFigures): number => f.requestsPerSecond;

function multipleOf(system: string, times: number): GoalSpec {
  return {
    id: `c256-1k-vs-${system}`,
    goal: `at concurrency 256 with 1 KiB, at least ${times}× ${LABELS[system]} req/s`,
    measure: `Parley / ${LABELS[system]} req/s`,
    covers: (p) => p.concurrency === 256 && p.payloadBytes === 1024,
    ratio: (subject, figures) => divide(rps(subject), figures(system)?.requestsPerSecond),
    bound: { side: "min", limit: times },
  };
}

/** At the covered points, at least `least`× the callback ceiling's req/s. */
function vsCeiling(id: string, where: string, least: number, covers: GoalSpec["covers"]): GoalSpec {
  return {
    id,
    goal: `${where}, at least ${least}× the callback ceiling's req/s`,
    measure: "Parley / raw callback client req/s (median of per-round ratios)",
    covers,
    ratio: (_subject, _figures, { vsCeiling }) => vsCeiling?.requestsPerSecond,
    bound: { side: "min", limit: least },
  };
}

/** At c=1: `percentile` within `most`× the callback ceiling's, at 64 KiB or at payloads up to 1 KiB. */
function latencyVsCeiling(
  id: string,
  percentile: "p50" | "p99",
  large: boolean,
  most: number,
): GoalSpec {
  return {
    id,
    goal: `at c=1 and ${large ? "64 KiB" : "64 B and 1 KiB"}, ${percentile} within ${most}× the callback ceiling's`,
    measure: `Parley ${percentile} / raw callback client ${percentile} (median of per-round ratios)`,
    covers: (p) =>
      p.concurrency === 1 && (large ? p.payloadBytes === KIB64 : p.payloadBytes <= 1024),
    ratio: (_subject, _figures, { vsCeiling }) => vsCeiling?.[percentile],
    bound: { side: "max", limit: most },
  };
}

const GOALS: readonly GoalSpec[] = [
  {
    id: "ahead-everywhere",
    goal: "ahead of every other framework's req/s on every point",
    measure: "Parley / best other framework req/s",
    covers: () => true,
    ratio: (subject, figures) => divide(subject.requestsPerSecond, bestOf(figures, rps, Math.max)),
    bound: { side: "min", limit: 1, strict: true },
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
    ratio: (subject, figures) =>
      divide(
        subject.p50Us,
        bestOf(figures, (f) => f.p50Us, Math.min),
      ),
    bound: { side: "max", limit: 1, strict: true },
  },
  {
    id: "c256-vs-raw",
    goal: "at concurrency 256, at least 0.25× raw node:net req/s",
    measure: "Parley / raw req/s (median of per-round ratios)",
    covers: (p) => p.concurrency === 256,
    ratio: (_subject, _figures, { vsRaw }) => vsRaw?.requestsPerSecond,
    bound: { side: "min", limit: 0.25 },
  },
  {
    id: "c1-p50-vs-raw",
    goal: "at concurrency 1, p50 within 1.15× of raw node:net",
    measure: "Parley p50 / raw p50 (median of per-round ratios)",
    covers: (p) => p.concurrency === 1,
    ratio: (_subject, _figures, { vsRaw }) => vsRaw?.p50,
    bound: { side: "max", limit: 1.15 },
  },
  {
    id: "64k-ahead-of-zeromq-http",
    goal: "at 64 KiB, ahead of zeromq and HTTP/1.1 req/s at every concurrency",
    measure: "Parley / the faster of zeromq and HTTP/1.1 req/s",
    covers: (p) => p.payloadBytes === KIB64,
    // Judged only where both ran: beating one of them is not the goal.
    ratio: (subject, figures) =>
      figures("zeromq") && figures("http")
        ? divide(subject.requestsPerSecond, bestOf(figures, rps, Math.max, ["zeromq", "http"]))
        : undefined,
    bound: { side: "min", limit: 1, strict: true },
  },
  vsCeiling("64k-vs-ceiling", "at 64 KiB, c=64 and c=256", 0.6, (p) => {
    return p.payloadBytes === KIB64 && p.concurrency >= 64;
  }),
  vsCeiling("small-c256-vs-ceiling", "at 64 B and 1 KiB, c=256", 0.3, (p) => {
    return p.payloadBytes <= 1024 && p.concurrency === 256;
  }),
  {
    id: "client-cpu-vs-server",
    goal: "client CPU per call no higher than the server's at 64 B and 1 KiB, c=256",
    measure: "Parley client / server CPU µs per call",
    covers: (p) => p.payloadBytes <= 1024 && p.concurrency === 256,
    ratio: (subject) => subject.clientCpuUsPerRequest / subject.serverCpuUsPerRequest,
    bound: { side: "max", limit: 1 },
  },
  latencyVsCeiling("64k-c1-p99-vs-ceiling", "p99", true, 3),
  latencyVsCeiling("small-c1-p50-vs-ceiling", "p50", false, 1.15),
];

function divide(value: number, by: number | undefined): number | undefined {
  return by === undefined ? undefined : value / by;
}

function meets({ side, limit, strict }: GoalSpec["bound"], ratio: number): boolean {
  if (side === "min") return strict ? ratio > limit : ratio >= limit;
  return strict ? ratio < limit : ratio <= limit;
}

function evaluate(spec: GoalSpec, points: readonly PointResult[], why: string): GoalVerdict {
  const checks: { where: string; ratio: number }[] = [];
  // A point where Parley ran and failed counts against the goal: it was not met there.
  const failedAt: string[] = [];
  for (const point of points.filter(spec.covers)) {
    const where = pointName(point.transport, point.concurrency, point.payloadBytes);
    const result = point.systems.find((s) => s.system === SUBJECT);
    const figures: Figures = (system) => point.systems.find((s) => s.system === system)?.median;
    if (result?.median === undefined) {
      if (result?.status === "error") failedAt.push(where);
      continue;
    }
    const ratio = spec.ratio(result.median, figures, result);
    if (ratio !== undefined) checks.push({ where, ratio });
  }
  const base = { id: spec.id, goal: `Parley ${spec.goal}` };
  const failures =
    failedAt.length === 0 ? "" : `Parley failed at ${failedAt.length} (${failedAt.join(", ")})`;
  if (checks.length === 0) {
    if (failedAt.length > 0) return { ...base, status: "missed", figures: failures };
    return { ...base, status: "not evaluated", figures: why };
  }
  // The worst check is the one furthest on the wrong side: lowest against a minimum.
  const worst = checks.reduce((a, b) =>
    (spec.bound.side === "min" ? b.ratio < a.ratio : b.ratio > a.ratio) ? b : a,
  );
  const missed = checks.filter((c) => !meets(spec.bound, c.ratio)).length;
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
