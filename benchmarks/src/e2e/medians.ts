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

/**
 * The median over rounds of `pick(system's round r) / pick(raw's round r)`. Within a round the
 * systems run one after the other, so each ratio compares two measurements seconds apart and the
 * machine's drift between rounds (on a shared machine, bursts of other work) cancels out, where a
 * ratio of medians would mix a quiet round of one system with a busy round of the other. Rounds
 * that either system failed are left out; `undefined` when none pairs.
 */
export function pairedRatio(
  system: readonly (RoundMeasurement | RoundFailure)[],
  raw: readonly (RoundMeasurement | RoundFailure)[],
  pick: (round: RoundMeasurement) => number,
): number | undefined {
  const ratios: number[] = [];
  for (const mine of system) {
    const theirs = raw.find((r) => r.round === mine.round);
    if (isMeasurement(mine) && theirs !== undefined && isMeasurement(theirs))
      ratios.push(pick(mine) / pick(theirs));
  }
  return ratios.length === 0 ? undefined : median(ratios);
}

/** Each measured system's ratios to `baseline`'s rounds at the same point. */
function ratiosTo(point: PointResult, baseline: string, key: "vsRaw" | "vsCeiling"): PointResult {
  const base = point.systems.find((s) => s.system === baseline);
  const medians = base?.median;
  if (base === undefined || medians === undefined) return point;
  const ratio = (s: SystemPointResult, pick: (f: MedianFigures | RoundMeasurement) => number) =>
    pairedRatio(s.rounds, base.rounds, pick) ?? pick(s.median!) / pick(medians);
  const p50 = (f: MedianFigures | RoundMeasurement) => ("latency" in f ? f.latency.p50Us : f.p50Us);
  const p99 = (f: MedianFigures | RoundMeasurement) => ("latency" in f ? f.latency.p99Us : f.p99Us);
  return {
    ...point,
    systems: point.systems.map((s) => {
      if (s.median === undefined) return s;
      const rps = ratio(s, (f) => f.requestsPerSecond);
      // vsRaw keeps its original two fields; the ceiling's ratios add p99 (a goal judges it).
      const ratios =
        key === "vsRaw"
          ? { requestsPerSecond: rps, p50: ratio(s, p50) }
          : { requestsPerSecond: rps, p50: ratio(s, p50), p99: ratio(s, p99) };
      return { ...s, [key]: ratios };
    }),
  };
}

/**
 * Adds each system's ratios to raw node:net at the same point: to the promise client (`vsRaw`) and
 * to the callback ceiling (`vsCeiling`), each the {@link pairedRatio} of its rounds, or the ratio
 * of medians when the rounds do not pair.
 */
export function withRatios(point: PointResult): PointResult {
  return ratiosTo(ratiosTo(point, "raw", "vsRaw"), "raw-callback", "vsCeiling");
}
