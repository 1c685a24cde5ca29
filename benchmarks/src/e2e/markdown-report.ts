/** The markdown report of a run: machine, systems, goals, and the figures as tables. */
import type { TransportKind } from "../systems/system.js";
import { formatBytes, formatCount, formatMicros, formatRatio } from "./format.js";
import type { PointResult, RunResults, SystemPointResult } from "./results.js";

const TRANSPORT_LABEL: Record<TransportKind, string> = { tcp: "TCP loopback", unix: "Unix socket" };

/** A table cell: pipes and newlines would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "/").replace(/\s*\n\s*/g, " ");
}

/** A markdown table from a header and rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** One line about the machine and the run's settings, plus a warning when the machine was busy. */
export function machineLine(results: RunResults): string {
  const { meta } = results;
  const date = meta.date.replace("T", " ").slice(0, 16);
  const { start, end } = meta.loadAverage;
  const line = `${meta.cpuModel}, ${meta.cores} cores, ${meta.totalMemoryGiB} GiB · Node ${meta.node} (V8 ${meta.v8}) · ${meta.platform} · ${date} UTC · ${meta.mode} run, ${Math.round(meta.wallSeconds)} s, ${meta.children === "compiled" ? "children compiled (dist/, plain node)" : "children from source (tsx)"} · load average ${start} at start, ${end} at end`;
  if (Math.max(start, end) <= meta.cores) return line;
  return `${line}\n\n> **The machine was busy** (load average above its ${meta.cores} cores): other work competed for the CPU during this run, so absolute figures are low and noisy, and latency-bound systems (those needing more process wake-ups per call) suffer most. Compare ratios within the run, and rerun on an idle machine before quoting numbers.`;
}

/** How the figures were obtained, in one paragraph. */
export function methodLine(results: RunResults): string {
  const { meta } = results;
  return `Each point was measured ${meta.rounds} times with the systems interleaved. A round is one closed loop on one connection: a warm-up of ${meta.warmupMs} ms (at most ${meta.warmupRequests} requests), then a measured window of ${meta.durationMs} ms (at most ${meta.maxRequests} requests); both last until every concurrent slot has completed a request (for slow systems at concurrency 256 that is longer). Throughput counts the requests completed inside the window, latency is measured per request, and CPU is the user + system time of the whole client or server process per completed request. Figures are medians of the rounds. A ratio to raw node:net (× raw, and the goals against it) is the median of the per-round ratios: each round of a system is divided by the raw round run beside it, so the machine's drift between rounds cancels out.`;
}

function status(result: SystemPointResult | undefined): string {
  if (result === undefined) return "not run";
  if (result.status === "unavailable") return "unavailable";
  return "error";
}

function label(results: RunResults, name: string): string {
  return results.systems.find((s) => s.name === name)?.label ?? name;
}

/** Systems with their versions and availability. */
export function systemsTable(results: RunResults): string {
  return table(
    ["system", "packages", "status"],
    results.systems.map((s) => {
      const versions = Object.entries(s.versions).map(([name, v]) => `${name} ${v}`);
      const transportNotes = Object.entries(s.transportErrors).map(([t, why]) => `${t}: ${why}`);
      const state =
        s.status === "unavailable"
          ? `unavailable: ${s.reason}`
          : ["ok", ...transportNotes].join("; ");
      return [s.label, versions.join(", ") || `node ${results.meta.node}`, state];
    }),
  );
}

/** Goals with their verdicts. */
export function goalsTable(results: RunResults): string {
  const mark = { met: "✅ met", missed: "❌ missed", "not evaluated": "— not evaluated" } as const;
  return table(
    ["goal", "result", "figures"],
    results.goals.map((g) => [g.goal, mark[g.status], g.figures]),
  );
}

function matrix(
  results: RunResults,
  points: readonly PointResult[],
  render: (result: SystemPointResult) => string,
): string {
  const names = results.systems.map((s) => s.name);
  return table(
    ["point", ...names.map((n) => label(results, n))],
    points.map((p) => [
      `c=${p.concurrency}, ${formatBytes(p.payloadBytes)}`,
      ...names.map((n) => {
        const result = p.systems.find((s) => s.system === n);
        return result?.median === undefined ? status(result) : render(result);
      }),
    ]),
  );
}

/** Requests per second with the ratio to raw node:net, one table per transport. */
export function throughputTables(results: RunResults, level: string): string {
  return transportsOf(results)
    .map((t) => {
      const points = results.points.filter((p) => p.transport === t);
      const body = matrix(results, points, (r) => {
        const rps = formatCount(r.median!.requestsPerSecond);
        return r.vsRaw === undefined || r.system === "raw"
          ? rps
          : `${rps} (${formatRatio(r.vsRaw.requestsPerSecond)})`;
      });
      return `${level} Requests per second, ${TRANSPORT_LABEL[t]} (× raw node:net)\n\n${body}`;
    })
    .join("\n\n");
}

/** p50 / p99 / p99.9 latency, one table per transport. */
export function latencyTables(results: RunResults, level: string): string {
  return transportsOf(results)
    .map((t) => {
      const points = results.points.filter((p) => p.transport === t);
      const body = matrix(results, points, (r) => {
        const m = r.median!;
        return `${formatMicros(m.p50Us)} / ${formatMicros(m.p99Us)} / ${formatMicros(m.p999Us)}`;
      });
      return `${level} Latency p50 / p99 / p99.9, ${TRANSPORT_LABEL[t]}\n\n${body}`;
    })
    .join("\n\n");
}

/** Client and server CPU time per call, one table per transport. */
export function cpuTables(results: RunResults, level: string): string {
  return transportsOf(results)
    .map((t) => {
      const points = results.points.filter((p) => p.transport === t);
      const body = matrix(results, points, (r) => {
        const m = r.median!;
        return `${m.clientCpuUsPerRequest.toFixed(1)} / ${m.serverCpuUsPerRequest.toFixed(1)}`;
      });
      return `${level} CPU µs per call, client / server, ${TRANSPORT_LABEL[t]}\n\n${body}`;
    })
    .join("\n\n");
}

/** Every figure of every system at every point, one row each. */
export function detailTable(results: RunResults): string {
  const rows: string[][] = [];
  for (const p of results.points) {
    for (const r of p.systems) {
      const where = [
        p.transport,
        String(p.concurrency),
        formatBytes(p.payloadBytes),
        label(results, r.system),
      ];
      const m = r.median;
      if (m === undefined) {
        rows.push([...where, `${status(r)}: ${r.reason ?? ""}`, "", "", "", "", "", "", ""]);
        continue;
      }
      rows.push([
        ...where,
        formatCount(m.requestsPerSecond),
        r.vsRaw === undefined ? "" : formatRatio(r.vsRaw.requestsPerSecond),
        formatMicros(m.p50Us),
        formatMicros(m.p99Us),
        formatMicros(m.p999Us),
        m.clientCpuUsPerRequest.toFixed(1),
        m.serverCpuUsPerRequest.toFixed(1),
        String(m.errors),
      ]);
    }
  }
  return table(
    [
      "transport",
      "conc.",
      "payload",
      "system",
      "req/s",
      "× raw",
      "p50",
      "p99",
      "p99.9",
      "client CPU µs/req",
      "server CPU µs/req",
      "errors",
    ],
    rows,
  );
}

function transportsOf(results: RunResults): TransportKind[] {
  return [...new Set(results.points.map((p) => p.transport))];
}

/** The standalone report (`results/latest.md`). */
export function markdownReport(
  results: RunResults,
  charts: readonly { file: string; title: string }[],
): string {
  return [
    `# Parley end-to-end benchmark (${results.meta.mode} run)`,
    machineLine(results),
    methodLine(results),
    "## Systems",
    systemsTable(results),
    "## Goals",
    goalsTable(results),
    "## Charts",
    charts.map((c) => `![${c.title}](${c.file})`).join("\n\n"),
    throughputTables(results, "##"),
    latencyTables(results, "##"),
    "## All figures",
    detailTable(results),
    "",
  ].join("\n\n");
}
