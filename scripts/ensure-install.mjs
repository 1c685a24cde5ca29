#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than the manifests, so that
// `npm start` and `npm test` work on a fresh clone. Uses only Node built-ins: nothing is installed yet.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stampPath = join(root, "node_modules", ".parley-install-stamp");

function manifestFiles() {
  const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const files = [join(root, "package.json"), join(root, "package-lock.json")];
  for (const pattern of rootManifest.workspaces ?? []) {
    const dirs = pattern.endsWith("/*")
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(root, pattern.slice(0, -2), d.name))
      : [join(root, pattern)];
    for (const dir of dirs) files.push(join(dir, "package.json"));
  }
  return files.filter((f) => existsSync(f)).sort();
}

function fingerprint() {
  const hash = createHash("sha256");
  for (const file of manifestFiles()) hash.update(file).update(readFileSync(file));
  return hash.digest("hex");
}

const current = existsSync(stampPath) ? readFileSync(stampPath, "utf8") : "";
if (current !== fingerprint()) {
  console.log("parley: installing dependencies (node_modules missing or stale)...");
  // `npm install`, not `npm ci`: the lockfile may lack foreign-platform optional packages.
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error(`parley: npm install failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
  writeFileSync(stampPath, fingerprint());
}
