import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { summariseProfiles } from "../src/e2e/profile-summary.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function node(id: number, functionName: string, url: string, hitCount: number) {
  return { id, callFrame: { functionName, url, lineNumber: 9 }, hitCount };
}

describe("summariseProfiles", () => {
  it("ranks self time by function and by file, leaving idle time out", () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-prof-"));
    dirs.push(dir);
    const file = join(dir, "a.cpuprofile");
    const profile = {
      startTime: 0,
      endTime: 1,
      nodes: [
        node(1, "(idle)", "", 1000),
        node(2, "encode", "file:///repo/node_modules/msgpackr/pack.js", 30),
        node(3, "decode", "file:///repo/node_modules/msgpackr/unpack.js", 10),
        node(4, "dispatch", "file:///repo/packages/peer/src/peer.ts", 60),
      ],
    };
    writeFileSync(file, JSON.stringify(profile));
    const summary = summariseProfiles([file], "/repo");
    expect(summary.samples).toBe(100);
    expect(summary.byFunction[0]).toEqual({
      key: "dispatch packages/peer/src/peer.ts:10",
      percent: 60,
    });
    expect(summary.byFile.map((s) => s.key)).toEqual([
      "packages/peer/src/peer.ts",
      "msgpackr/pack.js",
      "msgpackr/unpack.js",
    ]);
  });
});
