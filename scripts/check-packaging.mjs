#!/usr/bin/env node
// Packaging check for every publishable package: publint, then @arethetypeswrong/cli on the packed
// tarball. Run after `npm run build`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
let failed = 0;
for (const name of readdirSync(join(root, "packages"))) {
  const dir = join(root, "packages", name);
  if (!existsSync(join(dir, "package.json"))) continue;
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (manifest.private) continue;
  const lint = spawnSync("npx", ["publint", "--strict", dir], { cwd: root, encoding: "utf8" });
  process.stdout.write(lint.stdout + lint.stderr);
  if (lint.status !== 0) failed++;
  const pack = spawnSync("npm", ["pack", "--silent", "--pack-destination", "/tmp"], {
    cwd: dir,
    encoding: "utf8",
  });
  const tarball = join("/tmp", pack.stdout.trim().split("\n").pop() ?? "");
  // Types are checked for node16 (ESM + CJS) and bundlers; the "@parley/source" condition is internal.
  const attw = spawnSync("npx", ["attw", tarball, "--profile", "node16", "--format", "ascii"], {
    cwd: root,
    encoding: "utf8",
  });
  process.stdout.write(`${manifest.name}: attw\n${attw.stdout}${attw.stderr}`);
  if (attw.status !== 0) failed++;
  rmSync(tarball, { force: true });
}
if (failed) {
  console.error(`packaging check: ${failed} problem(s)`);
  process.exit(1);
}
console.log("packaging check: publint and attw clean");
