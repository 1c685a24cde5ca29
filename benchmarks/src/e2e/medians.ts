/** Turns rounds into medians and ratios to raw node:net. */
import {
  isMeasurement,
  type MedianFigures,
  type PointResult,
  type RoundFailure,
  type RoundMeasurement,
  type SystemPointResult,
} from "./results.js";

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Medians of every figure over the rounds that measured, each figure on its own. */
export function mediansOf(
  rounds: readonly (RoundMeasurement | RoundFailure)[],
): MedianFigures | undefined {
  const ok = rounds.filter(isMeasurement);
  if (ok.length === 0) return undefined;
  const of = (pick: (round: RoundMeasurement) => number): number => median(ok.map(pick));
  return {
    rounds: ok.length,
    requestsPerSecond: of((r) => r.requestsPerSecond),
    p50Us: of((r) => r.latency.p50Us),
    p99Us: of((r) => r.latency.p99Us),
    p999Us: of((r) => r.latency.p999Us),
    clientCpuUsPerRequest: of((r) => r.clientCpuUsPerRequest),
    serverCpuUsPerRequest: of((r) => r.serverCpuUsPerRequest),
    errors: ok.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** Builds a system's result at a point from its rounds. */
export function systemPointResult(
  system: string,
  rounds: readonly (RoundMeasurement | RoundFailure)[],
  unavailable?: string,
): SystemPointResult {
  if (unavailable !== undefined)
    return { system, status: "unavailable", reason: unavailable, rounds };
  const figures = mediansOf(rounds);
  if (figures === undefined) {
    const failure = rounds.find((round): round is RoundFailure => !isMeasurement(round));
    return { system, status: "error", reason: failure?.error ?? "no round ran", rounds };
  }
  return { system, status: "ok", rounds, median: figures };
}

/** Adds each system's ratio to raw node:net at the same point (when raw measured there). */
export function withRatios(point: PointResult): PointResult {
  const raw = point.systems.find((s) => s.system === "raw")?.median;
  if (raw === undefined) return point;
  return {
    ...point,
    systems: point.systems.map((s) =>
      s.median === undefined
        ? s
        : {
            ...s,
            vsRaw: {
              requestsPerSecond: s.median.requestsPerSecond / raw.requestsPerSecond,
              p50: s.median.p50Us / raw.p50Us,
            },
          },
    ),
  };
}
