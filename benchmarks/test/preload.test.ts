import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunResults } from "../src/e2e/results.js";
import { runHarness } from "./harness-run.js";

const MARK = new URL("./fixtures/preload-mark.mjs", import.meta.url).href;

describe("--preload", () => {
  const out = mkdtempSync(join(tmpdir(), "parley-bench-preload-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("has every child, each system's client and server, import the module first", () => {
    const marks = join(out, "marks");
    const run = runHarness(
      ["--tiny", "--systems=raw,raw-callback", `--preload=${MARK}`, `--out=${out}`],
      { ...process.env, BENCH_PRELOAD_MARKS: marks },
    );
    expect(run.status, run.stderr).toBe(0);
    const pids = new Set(readFileSync(marks, "utf8").trim().split("\n"));
    expect(pids.size).toBe(4); // two systems, a client and a server each
    expect(pids.has(String(run.pid))).toBe(false);
    const results = JSON.parse(readFileSync(join(out, "latest.json"), "utf8")) as RunResults;
    expect(results.meta.preload).toBe(MARK);
    expect(readFileSync(join(out, "latest.md"), "utf8")).toContain(`with \`${MARK}\` imported`);
  }, 120_000);
});
