import { describe, expect, it } from "vitest";
import { chartsOf } from "../src/e2e/charts.js";
import { evaluateGoals } from "../src/e2e/goals.js";
import { markdownReport } from "../src/e2e/markdown-report.js";
import { mediansOf, withRatios } from "../src/e2e/medians.js";
import { readmeSection, replaceSection } from "../src/e2e/readme-section.js";
import type { PointResult, RunResults, SystemInfo, SystemPointResult } from "../src/e2e/results.js";
import { barChart, escapeXml } from "../src/e2e/svg-chart.js";
import { markdownTableProblems, svgProblems } from "./well-formed.js";

function figures(system: string, requestsPerSecond: number, p50Us: number): SystemPointResult {
  return {
    system,
    status: "ok",
    rounds: [],
    median: {
      rounds: 3,
      requestsPerSecond,
      p50Us,
      p99Us: p50Us * 2,
      p999Us: p50Us * 3,
      clientCpuUsPerRequest: 5,
      serverCpuUsPerRequest: 4,
      errors: 0,
    },
  };
}

function info(name: string, label: string, role: SystemInfo["role"]): SystemInfo {
  return { name, label, role, color: "#123456", versions: {}, status: "ok", transportErrors: {} };
}

const SYSTEMS = [
  info("raw", "raw node:net", "ceiling"),
  info("parley", "Parley", "parley"),
  info("zeromq", "zeromq", "framework"),
  info("grpc", "grpc-js", "framework"),
];

function point(
  concurrency: number,
  payloadBytes: number,
  rates: Record<string, [number, number]>,
): PointResult {
  return withRatios({
    transport: "tcp",
    concurrency,
    payloadBytes,
    systems: Object.entries(rates).map(([name, [rps, p50]]) => figures(name, rps, p50)),
  });
}

const POINTS = [
  point(1, 1024, {
    raw: [20_000, 40],
    parley: [18_000, 44],
    zeromq: [10_000, 90],
    grpc: [3_000, 300],
  }),
  point(256, 1024, {
    raw: [200_000, 1000],
    parley: [40_000, 5000],
    zeromq: [10_000, 20_000],
    grpc: [2_000, 90_000],
  }),
];

function results(): RunResults {
  const meta = {
    date: "2026-01-02T03:04:05.000Z",
    mode: "full",
    node: "v20.0.0",
    v8: "11",
    platform: "linux x64",
    cpuModel: "Test CPU <fast> & cheap",
    cores: 2,
    totalMemoryGiB: 4,
    loadAverage: { start: 0.5, end: 3.5 },
    rounds: 3,
    warmupMs: 250,
    warmupRequests: 1000,
    durationMs: 1000,
    maxRequests: 100_000,
    wallSeconds: 600,
  };
  return { meta, systems: SYSTEMS, points: POINTS, goals: evaluateGoals(POINTS, SYSTEMS) };
}

/** A system's result whose rounds had these p50s (and 1000/p50 req/s), with their medians. */
function roundsOf(system: string, p50s: readonly number[]): SystemPointResult {
  const rounds = p50s.map((p50Us, round) => ({
    round,
    requests: 1000,
    errors: 0,
    elapsedMs: 1000,
    requestsPerSecond: 1e6 / p50Us,
    latency: {
      count: 1000,
      meanUs: p50Us,
      p50Us,
      p90Us: p50Us,
      p99Us: p50Us * 2,
      p999Us: p50Us * 3,
      maxUs: p50Us * 4,
    },
    clientCpuUsPerRequest: 5,
    serverCpuUsPerRequest: 4,
  }));
  return { ...figures(system, 0, 0), rounds, median: mediansOf(rounds) };
}

describe("ratios to raw node:net", () => {
  it("divide each round by the raw round beside it, so a busy round cancels out", () => {
    // Round 1 was busy for both; a ratio of medians would divide Parley's busy round (110) by
    // raw's quiet median (40) and report 2.75x.
    const p = withRatios({
      transport: "tcp",
      concurrency: 1,
      payloadBytes: 64,
      systems: [roundsOf("raw", [40, 100, 40]), roundsOf("parley", [44, 110, 110])],
    });
    const parley = p.systems.find((s) => s.system === "parley")!;
    expect(parley.median!.p50Us / p.systems[0]!.median!.p50Us).toBeCloseTo(2.75);
    expect(parley.vsRaw!.p50).toBeCloseTo(1.1);
    expect(parley.vsRaw!.requestsPerSecond).toBeCloseTo(1 / 1.1);
    const goals = evaluateGoals([p], SYSTEMS);
    expect(goals.find((g) => g.id === "c1-p50-vs-raw")!.status).toBe("met");
  });

  it("skip rounds that either system failed", () => {
    const raw = roundsOf("raw", [40, 40, 40]);
    const failed = {
      ...raw,
      rounds: [raw.rounds[0]!, { round: 1, error: "boom" }, raw.rounds[2]!],
    };
    const p = withRatios({
      transport: "tcp",
      concurrency: 1,
      payloadBytes: 64,
      systems: [failed as SystemPointResult, roundsOf("parley", [60, 44, 60])],
    });
    expect(p.systems[1]!.vsRaw!.p50).toBeCloseTo(1.5);
  });
});

describe("goals", () => {
  it("judges each goal at its points and names the worst figure", () => {
    const goals = Object.fromEntries(evaluateGoals(POINTS, SYSTEMS).map((g) => [g.id, g]));
    expect(goals["ahead-everywhere"]!.status).toBe("met");
    expect(goals["c256-1k-vs-zeromq"]!.status).toBe("missed"); // 4× < 5×
    expect(goals["c256-1k-vs-zeromq"]!.figures).toContain("4×");
    expect(goals["c256-1k-vs-grpc"]!.status).toBe("missed"); // 20× < 40×
    expect(goals["c256-1k-vs-jsonrpc"]!.status).toBe("not evaluated");
    expect(goals["c256-vs-raw"]!.status).toBe("missed"); // 0.2× < 0.25×
    expect(goals["c1-p50-vs-raw"]!.status).toBe("met"); // 1.1× <= 1.15×
    expect(goals["c1-p50-vs-frameworks"]!.status).toBe("met");
  });

  it("counts a point where Parley ran and failed as a miss", () => {
    const failed: SystemPointResult = {
      system: "parley",
      status: "error",
      reason: "stuck",
      rounds: [],
    };
    const points = [
      ...POINTS,
      {
        transport: "unix" as const,
        concurrency: 256,
        payloadBytes: 1024,
        systems: [figures("raw", 1, 1), failed],
      },
    ];
    const goals = Object.fromEntries(evaluateGoals(points, SYSTEMS).map((g) => [g.id, g]));
    expect(goals["c1-p50-vs-raw"]!.status).toBe("met"); // the failed point is not at c=1
    expect(goals["c256-vs-raw"]!.status).toBe("missed");
    expect(goals["c256-vs-raw"]!.figures).toContain("Parley failed at 1 (unix c=256 1 KiB)");
    expect(goals["c256-1k-vs-jsonrpc"]!.status).toBe("missed"); // no jsonrpc figure, but Parley failed
  });

  it("says why no goal can be judged when Parley is unavailable", () => {
    const systems = SYSTEMS.map((s) =>
      s.name === "parley" ? { ...s, status: "unavailable" as const, reason: "no serve()" } : s,
    );
    const withoutParley = POINTS.map((p) => ({
      ...p,
      systems: p.systems.filter((s) => s.system !== "parley"),
    }));
    for (const goal of evaluateGoals(withoutParley, systems)) {
      expect(goal.status).toBe("not evaluated");
      expect(goal.figures).toBe("Parley unavailable: no serve()");
    }
  });
});

describe("reports", () => {
  it("writes markdown whose tables all have matching column counts", () => {
    const run = results();
    const markdown = markdownReport(run, chartsOf(run, "latest"));
    expect(markdownTableProblems(markdown)).toEqual([]);
    expect(markdown).toContain("load average 0.5 at start, 3.5 at end");
    expect(markdown).toContain("**The machine was busy**"); // 3.5 > 2 cores
    expect(markdown).toContain("| c=256, 1 KiB | 200k | 40k (0.2×) | 10k (0.05×) | 2k (0.01×) |");
  });

  it("writes SVG charts that are well-formed even with markup in labels", () => {
    const run = results();
    for (const chart of chartsOf(run, "x")) expect(svgProblems(chart.svg)).toEqual([]);
    const svg = barChart({
      title: "a < b & c",
      groups: [["g1"], ["g2"]],
      series: [{ name: "s<1>", color: "#000000", values: [{ value: 10, marks: [20, 30] }, null] }],
      yLabel: "y",
      formatTick: String,
    });
    expect(svgProblems(svg)).toEqual([]);
    expect(svg).toContain(escapeXml("a < b & c"));
  });

  it("replaces only its own README section and keeps the others byte for byte", () => {
    const readme =
      "# Benchmarks\n\nintro\n\n## Framing\n\nframing text\n\n## End to end\n\nold\n\n## Codec\n\ncodec text\n";
    const section = readmeSection(results(), chartsOf(results(), "readme"));
    const updated = replaceSection(readme, section);
    expect(
      updated.startsWith("# Benchmarks\n\nintro\n\n## Framing\n\nframing text\n\n## End to end\n"),
    ).toBe(true);
    expect(updated.endsWith("\n## Codec\n\ncodec text\n")).toBe(true);
    expect(updated).not.toContain("\nold\n");
    expect(updated).toContain("![Echo throughput, TCP loopback");
    expect(markdownTableProblems(updated)).toEqual([]);
    expect(replaceSection(updated, section)).toBe(updated);
    expect(replaceSection("# B\n", section)).toBe(`# B\n\n${section.replace(/\n*$/, "\n")}`);
  });
});
