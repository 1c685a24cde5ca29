import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { RunResults } from "../src/e2e/results.js";

const RUN = fileURLToPath(new URL("../src/e2e/run.ts", import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const MARK = new URL("./fixtures/preload-mark.mjs", import.meta.url).href;

describe("--preload", () => {
  const out = mkdtempSync(join(tmpdir(), "parley-bench-preload-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("has every child, each system's client and server, import the module first", () => {
    const marks = join(out, "marks");
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        TSX,
        "--conditions=@parley/source",
        RUN,
        "--tiny",
        "--systems=raw,raw-callback",
        `--preload=${MARK}`,
        `--out=${out}`,
      ],
      { encoding: "utf8", timeout: 110_000, env: { ...process.env, BENCH_PRELOAD_MARKS: marks } },
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
