import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isMeasurement, type RunResults } from "../src/e2e/results.js";
import { runHarness } from "./harness-run.js";
import { markdownTableProblems, TCP_REPORT_TABLES, tableHeadings } from "./well-formed.js";

/**
 * One tiny run of the real harness: one point (TCP, concurrency 4, 1 KiB), 3 rounds of 300
 * requests, raw node:net, HTTP/1.1, and Parley, which may not be able to start (then it must be
 * reported as unavailable while the others are still measured).
 */
describe("the end-to-end harness in --tiny mode", () => {
  let out: string;
  let run: ReturnType<typeof runHarness>;
  let results: RunResults;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "parley-bench-"));
    run = runHarness(["--tiny", "--systems=raw,http,parley", `--out=${out}`]);
    results = JSON.parse(readFileSync(join(out, "latest.json"), "utf8")) as RunResults;
  }, 120_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("exits with 0, prints progress lines on stderr and the goals on stdout", () => {
    expect(run.status, String(run.stderr)).toBe(0);
    expect(String(run.stderr)).toMatch(/\[\s*1\/9\] tcp c=4 1 KiB · raw · round 1\/3/);
    expect(String(run.stderr)).toContain("measurements in");
    expect(String(run.stdout)).toContain("at concurrency 1, p50 within 1.15× of raw node:net");
  });

  it("measures raw and HTTP three times each with exactly the requested request count", () => {
    expect(results.points).toHaveLength(1);
    const point = results.points[0]!;
    expect(point).toMatchObject({ transport: "tcp", concurrency: 4, payloadBytes: 1024 });
    for (const name of ["raw", "http"]) {
      const system = point.systems.find((s) => s.system === name)!;
      expect(system.status).toBe("ok");
      const rounds = system.rounds.filter(isMeasurement);
      expect(rounds.map((r) => r.round).sort()).toEqual([1, 2, 3]);
      for (const round of rounds) {
        expect(round.requests).toBe(300);
        expect(round.errors).toBe(0);
        expect(round.requestsPerSecond).toBeGreaterThan(0);
        expect(Number.isFinite(round.requestsPerSecond)).toBe(true);
        const { p50Us, p99Us, p999Us, maxUs } = round.latency;
        expect(p50Us).toBeGreaterThan(0);
        expect(p50Us).toBeLessThanOrEqual(p99Us);
        expect(p99Us).toBeLessThanOrEqual(p999Us);
        expect(p999Us).toBeLessThanOrEqual(maxUs);
        expect(round.clientCpuUsPerRequest).toBeGreaterThan(0);
        expect(round.serverCpuUsPerRequest).toBeGreaterThan(0);
      }
      const median = system.median!;
      const sortedRps = rounds.map((r) => r.requestsPerSecond).sort((a, b) => a - b);
      expect(median.requestsPerSecond).toBe(sortedRps[1]);
    }
    expect(point.systems.find((s) => s.system === "raw")!.vsRaw).toEqual({
      requestsPerSecond: 1,
      p50: 1,
    });
  });

  it("reports Parley either measured or unavailable with a reason, and judges the goals accordingly", () => {
    const parley = results.systems.find((s) => s.name === "parley")!;
    const atPoint = results.points[0]!.systems.find((s) => s.system === "parley")!;
    if (parley.status === "unavailable") {
      expect(parley.reason).toBeTruthy();
      expect(atPoint.status).toBe("unavailable");
      expect(results.goals.every((g) => g.status === "not evaluated")).toBe(true);
      expect(results.goals[0]!.figures).toContain("Parley unavailable");
    } else {
      expect(atPoint.status).toBe("ok");
      const vsRaw = results.goals.find((g) => g.id === "ahead-everywhere")!;
      expect(["met", "missed"]).toContain(vsRaw.status);
    }
    expect(results.goals.map((g) => g.id)).toContain("c256-1k-vs-grpc");
  });

  it("records the machine, the Node version and the package versions", () => {
    expect(results.meta.node).toBe(process.version);
    expect(results.meta.cores).toBeGreaterThan(0);
    expect(results.meta.mode).toBe("tiny");
    expect(results.meta.loadAverage.start).toBeGreaterThanOrEqual(0);
    const http = results.systems.find((s) => s.name === "http")!;
    expect(http.versions.undici).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("writes the results and a well-formed markdown report", () => {
    expect(readdirSync(out).sort()).toEqual(["latest.json", "latest.md"]);
    const markdown = readFileSync(join(out, "latest.md"), "utf8");
    expect(markdownTableProblems(markdown)).toEqual([]);
    expect(tableHeadings(markdown)).toEqual(TCP_REPORT_TABLES);
    const row = markdown.split("\n").find((line) => line.startsWith("| c=4, 1 KiB "))!;
    const cells = row.split("|").map((cell) => cell.trim());
    expect(cells[2]).toMatch(/^[\d.]+k?$/); // raw node:net: no ratio to itself
    expect(cells).toContainEqual(expect.stringMatching(/^[\d.]+k? \([\d.]+×\)$/)); // HTTP
    expect(existsSync(join(out, "readme.json"))).toBe(false); // --readme was not given
  });
});
