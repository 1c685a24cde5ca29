import { beforeAll, describe, expect, it } from "vitest";
import { type Result, run } from "../src/main.js";

const sockets = () =>
  process.getActiveResourcesInfo().filter((name) => /^(TCP|Pipe)/.test(name)).length;

describe("graceful-shutdown example", () => {
  let result: Result;
  const lines: string[] = [];
  let socketsBefore = 0;
  beforeAll(async () => {
    socketsBefore = sockets();
    result = await run((line) => lines.push(line));
  });

  it("closes the server with hundreds of calls in flight", () => {
    expect(result.inFlightAtClose).toBeGreaterThanOrEqual(200);
    expect(result.acceptedAtClose).toBeGreaterThan(0);
    expect(result.completedAtClose).toBeGreaterThanOrEqual(result.closeAfter);
  });

  it("loses nothing: every call is answered or refused unexecuted as UNAVAILABLE", () => {
    expect(result.lost).toBe(0);
    // Each worker ends on exactly one refusal, so the count is exact.
    expect(result.refused).toBe(result.concurrency);
    // Every call accepted before the Bye was answered.
    expect(result.completed - result.completedAtClose).toBeGreaterThanOrEqual(
      result.acceptedAtClose,
    );
    expect(result.closeInfo).toMatchObject({
      initiator: "remote",
      reason: "graceful",
      calls: { completed: result.completed, rejected: result.refused, abandoned: 0 },
    });
  });

  it("runs every job exactly once across the closed server and its replacement", () => {
    expect(result.executions).toHaveLength(result.jobs);
    expect(result.executions.every((count) => count === 1)).toBe(true);
    expect(result.completed + result.completedAfterRestart).toBe(result.jobs);
  });

  it("prints the counts", () => {
    expect(lines).toContain(`  lost      ${"0".padStart(6)}`);
    expect(lines).toContain(
      `  refused   ${String(result.refused).padStart(6)}  UNAVAILABLE, retryable, not executed`,
    );
    expect(lines.at(-1)).toBe(`every job ran exactly once: yes (${result.jobs} of ${result.jobs})`);
  });

  it("leaves no sockets open", async () => {
    await expect.poll(sockets, { timeout: 2_000 }).toBe(socketsBefore);
  });

  it("holds with other sizes", async () => {
    const other = await run(() => {}, { jobs: 1_500, concurrency: 256, closeAfter: 300 });
    expect(other.lost).toBe(0);
    expect(other.refused).toBe(256);
    expect(other.executions.every((count) => count === 1)).toBe(true);
  });

  it("refuses sizes that would close an idle server", async () => {
    await expect(run(() => {}, { jobs: 100, concurrency: 100 })).rejects.toThrow(RangeError);
  });
});
