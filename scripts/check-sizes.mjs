#!/usr/bin/env node
// Reports source files over 400 lines and functions over 60 lines in packages/*/src (the house
// limits), largest first. Usage: node scripts/check-sizes.mjs [--all]. Exits 1 on a violation.
// The msgpack scanner's hot loop is exempt: splitting it would add a call per byte.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 60;
const EXEMPT = new Set(["packages/codec/src/msgpack-scanner.ts"]);
const showAll = process.argv.includes("--all");

const files = readdirSync("packages").flatMap((pkg) => {
  const dir = join("packages", pkg, "src");
  try {
    return readdirSync(dir, { recursive: true })
      .filter((f) => String(f).endsWith(".ts"))
      .map((f) => join(dir, String(f)));
  } catch {
    return [];
  }
});

const fileRows = [];
const functionRows = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  fileRows.push({ lines: text.split("\n").length - (text.endsWith("\n") ? 1 : 0), file });
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name?.getText(source) ?? ts.SyntaxKind[node.kind];
      functionRows.push({ lines: end - start + 1, file, name, line: start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

fileRows.sort((a, b) => b.lines - a.lines);
functionRows.sort((a, b) => b.lines - a.lines);
const badFiles = fileRows.filter((r) => r.lines > MAX_FILE_LINES);
const badFunctions = functionRows.filter(
  (r) => r.lines > MAX_FUNCTION_LINES && !EXEMPT.has(r.file),
);
const top = (rows, n) => (showAll ? rows : rows.slice(0, n));
console.log(`largest files (limit ${MAX_FILE_LINES}):`);
for (const r of top(fileRows, 5)) console.log(`  ${r.lines}\t${r.file}`);
console.log(`longest functions (limit ${MAX_FUNCTION_LINES}):`);
for (const r of top(functionRows, 8)) console.log(`  ${r.lines}\t${r.file}:${r.line} ${r.name}`);
for (const r of badFiles)
  console.error(`file over ${MAX_FILE_LINES} lines: ${r.file} (${r.lines})`);
for (const r of badFunctions) {
  console.error(
    `function over ${MAX_FUNCTION_LINES} lines: ${r.file}:${r.line} ${r.name} (${r.lines})`,
  );
}
process.exit(badFiles.length + badFunctions.length > 0 ? 1 : 0);
