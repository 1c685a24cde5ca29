/**
 * The markdown report of a run: the machine, how it was measured, the goals, one side-by-side table
 * per figure and transport, and the systems. `results/latest.md` and the README section are this
 * same text under different headings.
 */
import { markdownTable } from "markdown-table";
import type { TransportKind } from "../systems/system.js";
import { charts } from "./charts.js";
import { formatBytes, formatCount, formatMicros, formatRatio, pointName } from "./format.js";
import type { MedianFigures, RunResults, SystemPointResult } from "./results.js";

const TRANSPORT_LABEL: Record<TransportKind, string> = { tcp: "TCP loopback", unix: "Unix socket" };

// Emoji take two columns in an editor (and in biome's markdown formatter, whose padding this matches).
const width = (text: string): number => text.replace(/\p{Emoji_Presentation}/gu, "  ").length;

/** A markdown table; pipes and newlines in a cell would break its row. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) =>
    row.map((text) => text.replace(/\|/g, "/").replace(/\s*\n\s*/g, " ")),
  );
  return markdownTable(cells, { stringLength: width });
}

/** One line about the machine and the run's settings, plus a warning when the machine was busy. */
function machineLine(results: RunResults): string {
  const { meta } = results;
  const date = meta.date.replace("T", " ").slice(0, 16);
  const { start, end } = meta.loadAverage;
  const line = `${meta.cpuModel}, ${meta.cores} cores, ${meta.totalMemoryGiB} GiB · Node ${meta.node} (V8 ${meta.v8}) · ${meta.platform} · ${date} UTC · ${meta.mode} run, ${Math.round(meta.wallSeconds)} s, ${meta.children === "compiled" ? "children compiled (dist/, plain node)" : "children from source (tsx)"}${meta.preload === undefined ? "" : `, every child with \`${meta.preload}\` imported`} · load average ${start} at start, ${end} at end`;
  if (Math.max(start, end) <= meta.cores) return line;
  return `${line}\n\n> **The machine was busy** (load average above its ${meta.cores} cores): other work competed for the CPU during this run, so absolute figures are low and noisy, and latency-bound systems (those needing more process wake-ups per call) suffer most. Compare ratios within the run, and rerun on an idle machine before quoting numbers.`;
}

/** How the figures were obtained, in one paragraph. */
function methodLine(results: RunResults): string {
  const { meta } = results;
  return `Each point was measured ${meta.rounds} times with the systems interleaved. A round is one closed loop on one connection: a warm-up of ${meta.warmupMs} ms (at most ${meta.warmupRequests} requests), then a measured window of ${meta.durationMs} ms (at most ${meta.maxRequests} requests); both last until every concurrent slot has completed a request (for slow systems at concurrency 256 that is longer). Throughput counts the requests completed inside the window, latency is measured per request, and CPU is the user + system time of the whole client or server process per completed request. Figures are medians of the rounds. A ratio to raw node:net (× raw, and the goals against it) is the median of the per-round ratios: each round of a system is divided by the raw round run beside it, so the machine's drift between rounds cancels out.`;
}

function systemsTable(results: RunResults): string {
  const rows = results.systems.map((s) => {
    const versions = Object.entries(s.versions).map(([name, v]) => `${name} ${v}`);
    const notes = Object.entries(s.transportErrors).map(([t, why]) => `${t}: ${why}`);
    const state =
      s.status === "unavailable" ? `unavailable: ${s.reason}` : ["ok", ...notes].join("; ");
    return [s.label, versions.join(", ") || `node ${results.meta.node}`, state];
  });
  return table(["system", "packages", "status"], rows);
}

function goalsTable(results: RunResults): string {
  const mark = { met: "✅ met", missed: "❌ missed", "not evaluated": "— not evaluated" } as const;
  const rows = results.goals.map((g) => [g.goal, mark[g.status], g.figures]);
  return table(["goal", "result", "figures"], rows);
}

/** The side-by-side tables: a title and how one system's figures at one point read in a cell. */
const FIGURES: readonly {
  title: string;
  cell: (m: MedianFigures, r: SystemPointResult) => string;
}[] = [
  {
    title: "Requests per second, TRANSPORT (× raw node:net)",
    cell: (m, r) => {
      const ratio =
        r.vsRaw === undefined || r.system === "raw"
          ? ""
          : ` (${formatRatio(r.vsRaw.requestsPerSecond)})`;
      return `${formatCount(m.requestsPerSecond)}${ratio}${m.errors > 0 ? `, ${m.errors} errors` : ""}`;
    },
  },
  {
    title: "Latency p50 / p99 / p99.9, TRANSPORT",
    cell: (m) => [m.p50Us, m.p99Us, m.p999Us].map(formatMicros).join(" / "),
  },
  {
    title: "CPU µs per call, client / server, TRANSPORT",
    cell: (m) => `${m.clientCpuUsPerRequest.toFixed(1)} / ${m.serverCpuUsPerRequest.toFixed(1)}`,
  },
];

/** Every figure table: one row per point, one column per system, for each transport. */
function figureTables(results: RunResults, level: string): string[] {
  const transports = [...new Set(results.points.map((p) => p.transport))];
  const header = ["point", ...results.systems.map((s) => s.label)];
  return FIGURES.flatMap(({ title, cell }) =>
    transports.flatMap((t) => {
      const rows = results.points
        .filter((p) => p.transport === t)
        .map((p) => [
          `c=${p.concurrency}, ${formatBytes(p.payloadBytes)}`,
          ...results.systems.map(({ name }) => {
            const r = p.systems.find((s) => s.system === name);
            return r?.median === undefined ? (r?.status ?? "not run") : cell(r.median, r);
          }),
        ]);
      return [`${level} ${title.replace("TRANSPORT", TRANSPORT_LABEL[t])}`, table(header, rows)];
    }),
  );
}

/** The headline points as bar charts (charts.ts), when the run measured any of them. */
function chartSection(results: RunResults, level: string): string[] {
  const blocks = charts(results);
  return blocks.length === 0 ? [] : [`${level} Charts`, ...blocks];
}

/** Why a system has no figure at a point, one line each (nothing when every point measured). */
function failures(results: RunResults, level: string): string[] {
  const lines = results.points.flatMap((p) =>
    p.systems
      .filter((r) => r.median === undefined)
      .map((r) => {
        const label = results.systems.find((s) => s.name === r.system)?.label ?? r.system;
        const where = pointName(p.transport, p.concurrency, p.payloadBytes);
        return `- ${where}, ${label}: ${r.status}${r.reason === undefined ? "" : `: ${r.reason}`}`;
      }),
  );
  return lines.length === 0 ? [] : [`${level} Points without figures`, lines.join("\n")];
}

/** The report's body, its headings at `level` (`##` in latest.md, `####` in the README). */
export function reportBody(results: RunResults, level: string): string {
  return `${[
    machineLine(results),
    methodLine(results),
    `${level} Goals`,
    goalsTable(results),
    ...chartSection(results, level),
    ...figureTables(results, level),
    ...failures(results, level),
    `${level} Systems`,
    systemsTable(results),
  ].join("\n\n")}\n`;
}

/** The standalone report (`results/latest.md`). */
export function markdownReport(results: RunResults): string {
  return `# Parley end-to-end benchmark (${results.meta.mode} run)\n\n${reportBody(results, "##")}`;
}
