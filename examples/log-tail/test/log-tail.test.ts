import { describe, expect, it } from "vitest";
import { run } from "../src/main.js";

describe("log-tail example", () => {
  it("streams the matching lines, then the summary; a break cancels the server's generator", async () => {
    const lines: string[] = [];
    const result = await run((line) => lines.push(line));
    expect(result.lines).toHaveLength(200);
    expect(result.lines[0]).toBe("error event 4");
    expect(result.summary).toEqual({ lines: 200, skipped: 800 });
    expect(result.earlyStop).toEqual({ read: 3, code: "CANCELLED", generatorFinished: true });
    expect(lines).toHaveLength(2);
  });
});
