import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { describe, expect, it, onTestFinished } from "vitest";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** The first ```ts block after a heading of the root README. */
function codeAfter(heading: string): string {
  const from = readme.indexOf(heading);
  const block = readme.slice(from).match(/```ts\n([\s\S]*?)```/);
  if (from < 0 || !block) throw new Error(`no ts block after ${heading}`);
  return block[1]!;
}

describe("the root README", () => {
  it("has a quick start of at most 15 lines that runs and prints 5", async () => {
    const code = codeAfter("## Quick start");
    expect(code.trimEnd().split("\n").length).toBeLessThanOrEqual(15);
    const socket = `/tmp/parley-qs-${randomBytes(4).toString("hex")}.sock`;
    const file = new URL(`./.quick-start-${randomBytes(4).toString("hex")}.ts`, import.meta.url);
    writeFileSync(
      file,
      code
        .replace("unix:///tmp/calculator.sock", `unix://${socket}`)
        .replace("console.log(", "(globalThis as any).quickStartLog("),
    );
    onTestFinished(() => rmSync(file, { force: true }));
    const logged: unknown[] = [];
    (globalThis as { quickStartLog?: (v: unknown) => void }).quickStartLog = (v) => logged.push(v);
    await import(file.href);
    expect(logged).toEqual([5]);
  });
});
