import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it, vi } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
// Written inside the package (in the git-ignored results folder) so that "@parley/testkit" resolves.
const dir = fileURLToPath(new URL("../.test-results/readme/", import.meta.url));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it("runs the README quick start, which echoes 11 one-byte chunks and closes cleanly", async () => {
  const quickStart = readme.split(/^## Quick start$/m)[1]?.match(/```ts\n([\s\S]*?)```/)?.[1];
  expect(quickStart).toContain("createMemoryPair({ chunkBytes: 1 })");
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}quick-start.ts`, quickStart!);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  await import(`${dir}quick-start.ts`);
  const printed = log.mock.calls.map((call) => call.join(" "));
  log.mockRestore();
  expect(printed).toEqual(["hello world 11", "closed, error: undefined"]);
});

it("documents every value export of the package", async () => {
  const api = await import("../src/index.js");
  const undocumented = Object.keys(api).filter((name) => !readme.includes(name));
  expect(undocumented).toEqual([]);
});
