import { describe, expect, it } from "vitest";
import { run } from "../src/main.js";

describe("progress example", () => {
  it("streams progress items, then the job's result; a cancelled job stops", async () => {
    const lines: string[] = [];
    const result = await run((line) => lines.push(line));
    expect(result.progress).toHaveLength(10);
    expect(result.progress[0]).toBe("1/10 summed up to 100000");
    expect(result.progress[9]).toBe("10/10 summed up to 1000000");
    expect(result.total).toBe(500_000_500_000);
    expect(result.cancelled.code).toBe("CANCELLED");
    expect(result.cancelled.jobAborted).toBe(true);
    // The job stopped within a window's worth of steps of the cancel, far from its 1000.
    expect(result.cancelled.stepsDone).toBeLessThan(100);
    expect(lines).toContain("result: 500000500000");
  });
});
