import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { charts } from "../src/e2e/charts.js";
import { evaluateGoals } from "../src/e2e/goals.js";
import { markdownReport } from "../src/e2e/markdown-report.js";
import { mediansOf, withRatios } from "../src/e2e/medians.js";
import { MARKER, readmeSection, replaceSection } from "../src/e2e/readme-section.js";
import type { PointResult, RunResults, SystemInfo, SystemPointResult } from "../src/e2e/results.js";
import { markdownTableProblems, TCP_REPORT_TABLES, tableHeadings } from "./well-formed.js";

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
  return { name, label, role, versions: {}, status: "ok", transportErrors: {} };
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

/** The cells of the first row of `markdown` that starts with `| ${first} `. */
function rowCells(markdown: string, first: string): string[] {
  const row = markdown.split("\n").find((line) => line.startsWith(`| ${first} `));
  return (row ?? "")
    .split("|")
    .map((cell) => cell.trim())
    .slice(1, -1);
}

/** What biome's formatter (run by `npx biome ci .` over the README) makes of this markdown. */
function biomeFormatted(markdown: string): string {
  const biome = createRequire(import.meta.url).resolve("@biomejs/biome/bin/biome");
  const cwd = fileURLToPath(new URL("../..", import.meta.url));
  const args = [biome, "format", "--stdin-file-path=benchmarks/README.md"];
  const run = spawnSync(process.execPath, args, { cwd, input: markdown, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe("charts", () => {
  it("draw one bar per system at each headline point measured, with its median figure", () => {
    const blocks = charts(results());
    // c=256 with 1 KiB (req/s) and c=1 with 1 KiB (p50); the run has no c=64 64 KiB point.
    expect(blocks).toHaveLength(2);
    const lines = (block: string) => block.split("\n").map((line) => line.trim());
    const throughput = lines(blocks[0]!);
    expect(throughput[0]).toBe("```mermaid");
    expect(throughput).toContain('title "TCP, c=256, 1 KiB: requests per second"');
    expect(throughput).toContain(`x-axis [${SYSTEMS.map((s) => `"${s.label}"`).join(", ")}]`);
    expect(throughput).toContain("bar [200000, 40000, 10000, 2000]");
    expect(lines(blocks[1]!)).toContain("bar [40, 44, 90, 300]");
    expect(markdownReport(results())).toContain(blocks[0]);
  });
});

describe("reports", () => {
  it("writes every figure in side-by-side tables per transport, with well-formed tables", () => {
    const markdown = markdownReport(results());
    expect(markdownTableProblems(markdown)).toEqual([]);
    expect(tableHeadings(markdown)).toEqual(TCP_REPORT_TABLES);
    expect(markdown).toContain("load average 0.5 at start, 3.5 at end");
    expect(markdown).toContain("**The machine was busy**"); // 3.5 > 2 cores
    const rows = markdown.split("\n").filter((line) => line.startsWith("| c=256, 1 KiB "));
    expect(rows.map((row) => row.split("|").map((cell) => cell.trim()))).toEqual([
      ["", "c=256, 1 KiB", "200k", "40k (0.2×)", "10k (0.05×)", "2k (0.01×)", ""],
      [
        "",
        "c=256, 1 KiB",
        "1 ms / 2 ms / 3 ms",
        "5 ms / 10 ms / 15 ms",
        "20 ms / 40 ms / 60 ms",
        "90 ms / 180 ms / 270 ms",
        "",
      ],
      ["", "c=256, 1 KiB", "5.0 / 4.0", "5.0 / 4.0", "5.0 / 4.0", "5.0 / 4.0", ""],
    ]);
    expect(
      rowCells(markdown, "Parley at concurrency 256 with 1 KiB, at least 5× zeromq req/s")[1],
    ).toBe("❌ missed");
  });

  it("says where a system has no figure and why, and counts failed requests", () => {
    const run = results();
    const [, c256] = run.points;
    const systems = c256!.systems.map((s): SystemPointResult => {
      if (s.system === "grpc")
        return { system: "grpc", status: "error", reason: "a | b", rounds: [] };
      if (s.system === "zeromq") return { ...s, median: { ...s.median!, errors: 7 } };
      return s;
    });
    const markdown = markdownReport({ ...run, points: [run.points[0]!, { ...c256!, systems }] });
    expect(markdownTableProblems(markdown)).toEqual([]);
    expect(rowCells(markdown, "c=256, 1 KiB").slice(3)).toEqual(["10k (0.05×), 7 errors", "error"]);
    expect(markdown).toContain(
      "## Points without figures\n\n- tcp c=256 1 KiB, grpc-js: error: a | b\n",
    );
    expect(markdownReport(run)).not.toContain("Points without figures");
  });

  it("pads its tables as biome formats markdown, so a rewritten README stays lint-clean", () => {
    const section = readmeSection(results());
    expect(section).toContain("| ✅ met "); // emoji count as two columns
    expect(biomeFormatted(section)).toBe(section);
  });

  it("replaces only the generated part of the README and keeps the rest byte for byte", () => {
    const head = "# Benchmarks\n\n## Framing\n\nframing text\n\n## End to end\n\nintro by hand\n\n";
    const readme = `${head}${MARKER}\n\nold\n\n## Codec\n\ncodec text\n`;
    const section = readmeSection(results());
    const updated = replaceSection(readme, section);
    expect(updated.startsWith(`${head}${MARKER}\n\n### Latest full run\n`)).toBe(true);
    expect(updated.endsWith("\n## Codec\n\ncodec text\n")).toBe(true);
    expect(updated).not.toContain("\nold\n");
    expect(markdownTableProblems(updated)).toEqual([]);
    expect(replaceSection(updated, section)).toBe(updated);
    const atEnd = replaceSection(`${head}${MARKER}\n\nold\n`, section);
    expect(atEnd).toBe(`${head}${section.replace(/\n*$/, "\n")}`);
    expect(replaceSection("# B\n", section)).toBe(
      `# B\n\n## End to end\n\n${section.replace(/\n*$/, "\n")}`,
    );
  });
});
