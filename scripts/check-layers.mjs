#!/usr/bin/env node
// Layering check: framing <- codec <- peer <- transports <- rpc. A package's source may import only
// lower layers (and must declare them in package.json), and no module graph may contain a cycle.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// testkit sits just above framing: peer's tests use it, so it must not depend on the engine.
const RANK = {
  "@parley/framing": 0,
  "@parley/testkit": 1,
  "@parley/codec": 1,
  "@parley/peer": 2,
  "@parley/transport-net": 3,
  "@parley/transport-tls": 4,
  "@parley/rpc": 5,
};
const TOP = 100; // examples and benchmarks may use anything public

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|tsx)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const IMPORT_RE =
  /(?:^|\s)(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^import\s*["']([^"']+)["']/gm;
function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const specs = [];
  for (const m of text.matchAll(IMPORT_RE)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

const problems = [];
const workspaces = ["packages", "examples"]
  .flatMap((g) =>
    existsSync(join(root, g)) ? readdirSync(join(root, g)).map((n) => join(root, g, n)) : [],
  )
  .concat([join(root, "benchmarks")])
  .filter((d) => existsSync(join(d, "package.json")));

for (const dir of workspaces) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const self = manifest.name;
  const rank = RANK[self] ?? TOP;
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const declaredDev = new Set([...declared, ...Object.keys(manifest.devDependencies ?? {})]);
  const graph = new Map();
  for (const file of walk(dir)) {
    const rel = relative(root, file);
    const isSrc = rel.includes("/src/");
    const edges = [];
    for (const spec of importsOf(file)) {
      if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
        edges.push(existsSync(target) ? target : join(resolve(dirname(file), spec), "index.ts"));
        continue;
      }
      if (spec.startsWith("../") || spec.includes("/packages/")) {
        problems.push(`${rel}: imports another package by path (${spec}); use its package name`);
      }
      const m = spec.match(/^(@parley\/[^/]+)/);
      if (!m) continue;
      const dep = m[1];
      if (dep === self) continue;
      const depRank = RANK[dep];
      if (depRank === undefined) continue;
      const isTestkitInTest = !isSrc && dep === "@parley/testkit";
      if (depRank >= rank && !isTestkitInTest) {
        problems.push(
          `${rel}: ${self} (layer ${rank}) imports ${dep} (layer ${depRank}): a lower layer may not import a higher one`,
        );
      }
      if (isSrc && !declared.has(dep))
        problems.push(`${rel}: imports ${dep} but ${self} does not list it in dependencies`);
      if (!isSrc && !declaredDev.has(dep))
        problems.push(`${rel}: imports ${dep} but ${self} does not list it in (dev)dependencies`);
    }
    graph.set(file, edges);
  }
  // Cycle detection over relative imports (iterative DFS, colours: 1 = on stack, 2 = done).
  const colour = new Map();
  for (const start of graph.keys()) {
    if (colour.get(start)) continue;
    const stack = [[start, 0]];
    const path = [start];
    colour.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const edges = graph.get(top[0]) ?? [];
      if (top[1] >= edges.length) {
        colour.set(top[0], 2);
        stack.pop();
        path.pop();
        continue;
      }
      const next = edges[top[1]++];
      if (!graph.has(next)) continue;
      if (colour.get(next) === 1) {
        const cycle = path
          .slice(path.indexOf(next))
          .concat(next)
          .map((f) => relative(root, f));
        problems.push(`import cycle: ${cycle.join(" -> ")}`);
      } else if (!colour.get(next)) {
        colour.set(next, 1);
        stack.push([next, 0]);
        path.push(next);
      }
    }
  }
}

if (problems.length) {
  console.error(`layering check failed (${problems.length}):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`layering check: ${workspaces.length} workspaces, no upward imports, no cycles`);
