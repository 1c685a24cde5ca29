// Writes this package's test counts to .test-results/counts.json so the root `npm test` can print
// one plain summary line for the whole repo.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Reporter, TestModule } from "vitest/node";

export default class CountReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed") counts.failed++;
        else counts.skipped++;
      }
      if (mod.state() === "failed" && mod.children.size === 0) counts.failed++;
    }
    const dir = join(process.cwd(), ".test-results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "counts.json"), JSON.stringify(counts));
  }
}
