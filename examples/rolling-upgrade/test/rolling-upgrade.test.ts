import { beforeAll, describe, expect, it } from "vitest";
import { type Result, run } from "../src/main.js";

const sockets = () =>
  process.getActiveResourcesInfo().filter((name) => /^(TCP|Pipe)/.test(name)).length;

describe("rolling-upgrade example", () => {
  let result: Result;
  const lines: string[] = [];
  let socketsBefore = 0;
  beforeAll(async () => {
    socketsBefore = sockets();
    result = await run((line) => lines.push(line));
  }, 120_000);

  it("upgrades both servers under load with zero failed calls", () => {
    expect(result.failures).toEqual({});
    expect(result.phases.map((p) => p.name)).toEqual(["A v1, B v1", "A v2, B v1", "A v2, B v2"]);
    for (const phase of result.phases) {
      expect(phase.failed).toBe(0);
      expect(phase.calls).toBeGreaterThan(0);
    }
    expect(lines.at(-1)).toBe("failed calls: 0");
  });

  it("moves every client to the new server of its port", () => {
    // Four v1 clients and two v2 clients, each of whose server was replaced once.
    expect(result.reconnects).toBeGreaterThanOrEqual(6);
  });

  it("fails the new method locally on a v1 server, sending nothing, and runs it once upgraded", () => {
    expect(result.newMethodOnOldServer).toEqual({ code: "UNIMPLEMENTED", sent: 0 });
    expect(result.newMethodAfterUpgrade).toBe(true);
    expect(lines).toContain("remove (new in v2) once both servers run v2: works");
  });

  it("leaves no sockets open", async () => {
    await expect.poll(sockets, { timeout: 5_000 }).toBe(socketsBefore);
  });
});
