/**
 * `npm run bench` / `bench:quick` / `bench:e2e`: the end-to-end benchmark harness.
 * See benchmarks/README.md, section "End to end", for what it measures and how.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateGoals } from "./goals.js";
import { runPlan } from "./harness.js";
import { BENCHMARKS_DIR } from "./machine.js";
import { markdownReport } from "./markdown-report.js";
import { type BenchPlan, parsePlan, USAGE } from "./plan.js";
import { readmeSection, updateReadme } from "./readme-section.js";
import type { RunResults } from "./results.js";

/** Writes `<prefix>.json` and `<prefix>.md` into `dir`; returns their paths. */
function writeOutputs(results: RunResults, dir: string, prefix: string): string[] {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${prefix}.json`);
  const markdown = join(dir, `${prefix}.md`);
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(markdown, markdownReport(results));
  return [json, markdown];
}

/** A results file with its goals judged again (their rules may have changed since it was written). */
function rerender(file: string): RunResults {
  const results = JSON.parse(readFileSync(file, "utf8")) as RunResults;
  return { ...results, goals: evaluateGoals(results.points, results.systems) };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let plan: BenchPlan;
  try {
    plan = parsePlan(argv, join(BENCHMARKS_DIR, "results"));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const results = plan.renderFrom === undefined ? await runPlan(plan) : rerender(plan.renderFrom);
  const written = writeOutputs(results, plan.outDir, "latest");
  if (plan.updateReadme) {
    const readme = join(BENCHMARKS_DIR, "README.md");
    updateReadme(readme, readmeSection(results));
    written.push(...writeOutputs(results, plan.outDir, "readme"), readme);
  }
  for (const goal of results.goals) {
    process.stdout.write(`${goal.status.padEnd(13)} ${goal.goal}: ${goal.figures}\n`);
  }
  process.stdout.write(`wrote ${written.join(", ")}\n`);
  // Without the ceiling nothing else can be judged: that is a failed run.
  const raw = results.systems.find((s) => s.name === "raw");
  const rawMeasured = results.points.some((p) =>
    p.systems.some((s) => s.system === "raw" && s.median),
  );
  return raw?.status === "ok" && rawMeasured ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
