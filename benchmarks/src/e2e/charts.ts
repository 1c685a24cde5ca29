/** Builds the throughput and latency charts of a run from its results. */
import type { TransportKind } from "../systems/system.js";
import { formatBytes, formatCount, formatMicros, pointName } from "./format.js";
import type { PointResult, RunResults, SystemInfo } from "./results.js";
import { type BarSeries, type BarValue, barChart } from "./svg-chart.js";

/** A chart file: its name (without directory) and SVG text. */
export interface ChartFile {
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

const TRANSPORT_LABEL: Record<TransportKind, string> = { tcp: "TCP loopback", unix: "Unix socket" };

function groupsOf(points: readonly PointResult[]): string[][] {
  return points.map((p) => [`c=${p.concurrency}`, formatBytes(p.payloadBytes)]);
}

/** Systems with at least one figure in these points, in catalog order. */
function measured(results: RunResults, points: readonly PointResult[]): SystemInfo[] {
  return results.systems.filter((s) =>
    points.some((p) => p.systems.some((r) => r.system === s.name && r.median !== undefined)),
  );
}

function seriesOf(
  results: RunResults,
  points: readonly PointResult[],
  value: (
    figures: NonNullable<PointResult["systems"][number]["median"]>,
    where: string,
    label: string,
  ) => BarValue,
): BarSeries[] {
  return measured(results, points).map((system) => ({
    name: system.label,
    color: system.color,
    values: points.map((p) => {
      const figures = p.systems.find((r) => r.system === system.name)?.median;
      const where = pointName(p.transport, p.concurrency, p.payloadBytes);
      return figures === undefined ? null : value(figures, where, system.label);
    }),
  }));
}

function missingNote(results: RunResults, points: readonly PointResult[]): string {
  const shown = new Set(measured(results, points).map((s) => s.name));
  const missing = results.systems.filter((s) => !shown.has(s.name)).map((s) => s.label);
  return missing.length === 0 ? "" : `; not measured: ${missing.join(", ")}`;
}

function subtitle(results: RunResults, points: readonly PointResult[], what: string): string[] {
  const { meta } = results;
  const date = meta.date.slice(0, 10);
  return [
    `${what} · median of ${meta.rounds} rounds${missingNote(results, points)}`,
    `${meta.cpuModel}, ${meta.cores} cores · Node ${meta.node} · ${date} · ${meta.mode} run · load average ${meta.loadAverage.start}→${meta.loadAverage.end}`,
  ];
}

/** Requests per second per system per point, for one transport. */
export function throughputChart(
  results: RunResults,
  transport: TransportKind,
  prefix: string,
): ChartFile {
  const points = results.points.filter((p) => p.transport === transport);
  const title = `Echo throughput, ${TRANSPORT_LABEL[transport]}`;
  const svg = barChart({
    title,
    subtitle: subtitle(results, points, "requests per second, log scale, higher is better"),
    groups: groupsOf(points),
    yLabel: "requests per second",
    formatTick: formatCount,
    series: seriesOf(results, points, (f, where, label) => ({
      value: f.requestsPerSecond,
      tooltip: `${label} · ${where}: ${formatCount(f.requestsPerSecond)} req/s`,
    })),
  });
  return { file: `${prefix}-throughput-${transport}.svg`, title, svg };
}

/** p50 bars with p99 and p99.9 marks per system per point, for one transport. */
export function latencyChart(
  results: RunResults,
  transport: TransportKind,
  prefix: string,
): ChartFile {
  const points = results.points.filter((p) => p.transport === transport);
  const title = `Echo latency, ${TRANSPORT_LABEL[transport]}`;
  const svg = barChart({
    title,
    subtitle: subtitle(
      results,
      points,
      "bar: p50, marks: p99 and p99.9, log scale, lower is better",
    ),
    groups: groupsOf(points),
    yLabel: "latency",
    formatTick: formatMicros,
    series: seriesOf(results, points, (f, where, label) => ({
      value: f.p50Us,
      marks: [f.p99Us, f.p999Us],
      tooltip: `${label} · ${where}: p50 ${formatMicros(f.p50Us)}, p99 ${formatMicros(f.p99Us)}, p99.9 ${formatMicros(f.p999Us)}`,
    })),
  });
  return { file: `${prefix}-latency-${transport}.svg`, title, svg };
}

/** Every chart of a run: throughput and latency for each transport it measured. */
export function chartsOf(results: RunResults, prefix: string): ChartFile[] {
  const transports = [...new Set(results.points.map((p) => p.transport))];
  return transports.flatMap((t) => [
    throughputChart(results, t, prefix),
    latencyChart(results, t, prefix),
  ]);
}
