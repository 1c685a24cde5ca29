/** Writes a run's results: JSON, markdown report and SVG charts. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ChartFile, chartsOf } from "./charts.js";
import { markdownReport } from "./markdown-report.js";
import type { RunResults } from "./results.js";

/** Writes `<prefix>.json`, `<prefix>.md` and `<prefix>-*.svg` into `dir`; returns the charts. */
export function writeOutputs(results: RunResults, dir: string, prefix: string): ChartFile[] {
  mkdirSync(dir, { recursive: true });
  const charts = chartsOf(results, prefix);
  writeFileSync(join(dir, `${prefix}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, `${prefix}.md`), markdownReport(results, charts));
  for (const chart of charts) writeFileSync(join(dir, chart.file), chart.svg);
  return charts;
}
