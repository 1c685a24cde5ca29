import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { parseEngineOutput } from "../src/micro/engine-against.js";

const TOOL = fileURLToPath(new URL("../src/micro/engine-against.ts", import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

function runTool(args: readonly string[]) {
  return spawnSync(
    process.execPath,
    ["--import", TSX, "--conditions=@parley/source", TOOL, ...args],
    {
      encoding: "utf8",
      timeout: 110_000,
    },
  );
}

describe("bench:engine (engine.ts against a commit)", () => {
  it("bundles engine.ts at a commit and in the tree, runs them in pairs, and reports both ratios", () => {
    const head = spawnSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).stdout.trim();
    const run = runTool(["--against=HEAD", "--pairs=2", "--calls=300", "--rounds=1"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`engine.ts at ${head.slice(0, 12)} (before)`);
    const rows = run.stdout.split("\n").filter((line) => /^\s+\d+\s/.test(line));
    expect(rows).toHaveLength(2);
    const ratios = /untyped ([\d.]+)x, with a contract ([\d.]+)x/.exec(run.stdout);
    expect(ratios, run.stdout).not.toBeNull();
    for (const ratio of ratios!.slice(1)) expect(Number(ratio)).toBeGreaterThan(0);
  }, 120_000);

  it("refuses to run without a commit, and names a commit git does not know", () => {
    const missing = runTool([]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("--against=<commit> is required");
    const unknown = runTool(["--against=no-such-commit-anywhere"]);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("no-such-commit-anywhere");
  }, 60_000);

  it("reads the two medians engine.ts prints, and throws when one is missing", () => {
    const output = [
      "@parley/peer engine alone, Node v20: 5 rounds of 50000 sequential calls",
      "",
      "case                         fastest round   median round",
      "untyped                               2.10           2.15",
      "with a contract (zod)                 2.41           2.61",
    ].join("\n");
    expect(parseEngineOutput(output)).toEqual({ untyped: 2.15, contract: 2.61 });
    expect(() => parseEngineOutput(output.split("\n").slice(0, 4).join("\n"))).toThrow(
      /no "with a contract" figure/,
    );
  });
});
