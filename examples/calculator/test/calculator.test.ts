import { describe, expect, it } from "vitest";
import { calculator, run } from "../src/main.js";

const sockets = () =>
  process.getActiveResourcesInfo().filter((name) => /^(TCP|Pipe)/.test(name)).length;

describe("calculator example", () => {
  it("answers typed calls with the computed values", async () => {
    const result = await run(() => {});
    expect(result.sum).toBe(5);
    expect(result.quotient).toBe(0.25);
  });

  it("delivers the handler's DIVISION_BY_ZERO as a RemoteError with its code and data", async () => {
    const lines: string[] = [];
    const { divisionByZero } = await run((line) => lines.push(line));
    expect(divisionByZero).toMatchObject({
      name: "RemoteError",
      code: "DIVISION_BY_ZERO",
      message: "cannot divide 1 by zero",
      retryable: false,
      data: { dividend: 1 },
    });
    expect(lines).toContain(
      "divide(1, 0) failed: RemoteError DIVISION_BY_ZERO: cannot divide 1 by zero",
    );
  });

  it("refuses input that breaks the schema with INVALID_ARGUMENT listing every issue", async () => {
    const { invalidArgument } = await run(() => {});
    expect(invalidArgument.code).toBe("INVALID_ARGUMENT");
    expect(invalidArgument.retryable).toBe(false);
    expect(invalidArgument.issues).toBe(2);
    expect(invalidArgument.message).toMatch(/^invalid request input for calculator\.power: base: /);
    expect(invalidArgument.message).toMatch(/exponent: Too big/);
  });

  it("retries the idempotent call lost with the connection and fails the other with CONNECTION_LOST", async () => {
    const result = await run(() => {});
    expect(result.idempotent).toEqual(["add", "divide", "power"]);
    expect(calculator.isIdempotent("memoryAdd")).toBe(false);
    expect(result.reconnects).toBe(1);
    expect(result.retried).toEqual({ value: 2.5, executions: 2 });
    expect(result.notRetried).toMatchObject({
      code: "CONNECTION_LOST",
      executions: 1,
      memory: 5,
    });
  });

  it("leaves no sockets open", async () => {
    const before = sockets();
    await run(() => {});
    await expect.poll(sockets, { timeout: 2_000 }).toBe(before);
  });
});
