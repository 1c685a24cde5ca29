import { beforeAll, describe, expect, it } from "vitest";
import { EXPIRING_TIMEOUT_MS, GATEWAY_WORK_MS, type Result, run } from "../src/main.js";

const sockets = () =>
  process.getActiveResourcesInfo().filter((name) => /^(TCP|Pipe)/.test(name)).length;

describe("service-chain example", () => {
  let result: Result;
  const lines: string[] = [];
  let socketsBefore = 0;
  beforeAll(async () => {
    socketsBefore = sockets();
    result = await run((line) => lines.push(line));
  });

  it("propagates the client's deadline: the backend sees a smaller budget than the gateway", () => {
    const { propagated, clientTimeoutMs } = result;
    expect(propagated.outcome).toBe(104);
    const gateway = propagated.gateway?.budgetMs ?? Number.NaN;
    const backend = propagated.backend?.budgetMs ?? Number.NaN;
    expect(gateway).toBeGreaterThan(0);
    expect(gateway).toBeLessThanOrEqual(clientTimeoutMs);
    // The gateway spent at least its own work time before calling the backend (timers never
    // fire early by more than a millisecond).
    expect(backend).toBeLessThanOrEqual(gateway - GATEWAY_WORK_MS + 1);
    expect(backend).toBeGreaterThan(0);
    expect(propagated.gateway?.abortedWith).toBeUndefined();
  });

  it("stops the backend's work when the client's deadline runs out", () => {
    const { expired } = result;
    expect(expired.outcome).toBe("DEADLINE_EXCEEDED");
    expect(expired.backend?.budgetMs).toBeLessThanOrEqual(
      EXPIRING_TIMEOUT_MS - GATEWAY_WORK_MS + 1,
    );
    // Its own deadline or the gateway's Cancel, whichever lands first: both stop the handler.
    expect(["DEADLINE_EXCEEDED", "CANCELLED"]).toContain(expired.backend?.abortedWith);
    // The gateway's handler: its signal aborts at the deadline, unless the backend call's copy of
    // the same deadline fired first and ended the handler with that call's DEADLINE_EXCEEDED.
    const gateway = expired.gateway;
    if (gateway?.abortedWith === undefined) {
      expect(gateway?.downstreamFailedWith).toBe("DEADLINE_EXCEEDED");
    } else {
      expect(["DEADLINE_EXCEEDED", "CANCELLED"]).toContain(gateway.abortedWith);
    }
  });

  it("cancels all the way down: client, gateway handler and backend handler", () => {
    const { cancelled } = result;
    expect(cancelled.outcome).toBe("CANCELLED");
    expect(cancelled.gateway?.abortedWith).toBe("CANCELLED");
    expect(cancelled.backend?.abortedWith).toBe("CANCELLED");
  });

  it("prints one line per step", () => {
    expect(lines[0]).toMatch(
      /^client -> gateway tcp:\/\/127\.0\.0\.1:\d+ -> backend unix:\/\/\/tmp\//,
    );
    expect(lines).toContain(
      `2. quote SLOW with timeoutMs ${EXPIRING_TIMEOUT_MS}: DEADLINE_EXCEEDED`,
    );
    expect(lines).toContain(
      "   gateway handler signal aborted with CANCELLED, backend handler signal aborted with CANCELLED",
    );
  });

  it("leaves no sockets open", async () => {
    await expect.poll(sockets, { timeout: 2_000 }).toBe(socketsBefore);
  });
});
