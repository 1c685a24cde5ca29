import { describe, expect, it } from "vitest";
import { createNameProxy } from "../src/call-gate.js";

describe("call proxy", () => {
  it("turns property access into calls by name, with the argument and options", () => {
    const calls: unknown[][] = [];
    const proxy = createNameProxy((name, arg, options) => calls.push([name, arg, options]));
    proxy.add!({ a: 1 }, { timeoutMs: 5 });
    expect(calls).toEqual([["add", { a: 1 }, { timeoutMs: 5 }]]);
  });

  it("returns the same function for the same name", () => {
    const proxy = createNameProxy(() => 0);
    expect(proxy.x).toBe(proxy.x);
  });

  it("is not a thenable and has no symbol members, so it can be awaited and logged", async () => {
    const proxy = createNameProxy(() => 0);
    expect((proxy as { then?: unknown }).then).toBeUndefined();
    expect((proxy as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
    await expect(Promise.resolve(proxy)).resolves.toBe(proxy);
  });

  it("makes declared names own properties and still serves any other name", () => {
    const calls: string[] = [];
    const proxy = createNameProxy((name) => calls.push(name), ["add", "sub", "then"]);
    expect(Object.keys(proxy).sort()).toEqual(["add", "sub"]);
    expect(Object.isFrozen(proxy)).toBe(true);
    proxy.add!();
    proxy.mul!();
    expect(calls).toEqual(["add", "mul"]);
    expect(proxy.add).toBe(proxy.add);
    expect(proxy.mul).toBe(proxy.mul);
    // "then" is never a method, even when declared.
    expect((proxy as { then?: unknown }).then).toBeUndefined();
  });
});
