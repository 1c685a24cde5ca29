import { isParleyError } from "@parley/framing";
import { describe, expect, it } from "vitest";
import { ConnectionResetError, createMemoryPair, recordConnection } from "../src/index.js";
import { pattern, turns } from "./turns.js";

const types = (events: readonly { type: string }[]) => events.map((event) => event.type);

describe("memory pair end and close", () => {
  it("delivers queued bytes, then onEnd, and lets the other end keep writing back", async () => {
    const [a, b] = createMemoryPair();
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    a.write([pattern(5)]);
    a.end();
    expect(a.ended).toBe(true);
    await rb.whenEnded();
    expect(types(rb.events)).toEqual(["data", "end"]);
    expect(b.remoteEnded).toBe(true);
    expect(b.write([pattern(7)])).toBe(true);
    await ra.whenBytes(7);
    expect([a.closed, b.closed]).toEqual([false, false]);
  });

  it("closes both ends without an error once both have ended", async () => {
    const [a, b] = createMemoryPair();
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    a.end();
    await rb.whenEnded();
    b.end();
    expect(await ra.whenClosed()).toBeUndefined();
    expect(await rb.whenClosed()).toBeUndefined();
    expect([a.closed, b.closed]).toEqual([true, true]);
    expect(types(ra.events)).toEqual(["end", "close"]);
    expect(types(rb.events)).toEqual(["end", "close"]);
  });

  it("ignores write() after end() without throwing, returning false and counting nothing", async () => {
    const [a, b] = createMemoryPair();
    const rb = recordConnection(b);
    a.write([pattern(2)]);
    a.end();
    a.end();
    expect(a.write([pattern(3)])).toBe(false);
    expect(a.stats.writes).toBe(1);
    await rb.whenEnded();
    await turns();
    expect(rb.receivedBytes).toBe(2);
    expect(rb.counts.ends).toBe(1);
  });

  it("holds onEnd back while the receiver is paused", async () => {
    const [a, b] = createMemoryPair();
    const rb = recordConnection(b);
    b.pause();
    a.end();
    await turns(10);
    expect(rb.counts.ends).toBe(0);
    b.resume();
    await rb.whenEnded();
  });
});

describe("memory pair reset and crash", () => {
  it("gives the resetting end its own error and the other end ECONNRESET", async () => {
    const [a, b] = createMemoryPair();
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    const reason = new Error("engine gave up");
    a.reset(reason);
    expect(a.closed).toBe(true);
    expect(await ra.whenClosed()).toBe(reason);
    const remote = await rb.whenClosed();
    expect(remote).toBeInstanceOf(ConnectionResetError);
    expect(remote).toMatchObject({
      code: "ECONNRESET",
      retryable: true,
      name: "ConnectionResetError",
    });
    expect(isParleyError(remote)).toBe(true);
    expect(remote?.message).toContain("memory:a");
  });

  it("closes the resetting end with no error when reset() is given none", async () => {
    const [a, b] = createMemoryPair();
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    a.reset();
    expect(await ra.whenClosed()).toBeUndefined();
    expect(await rb.whenClosed()).toMatchObject({ code: "ECONNRESET" });
  });

  it("drops bytes still queued in both directions", async () => {
    const [a, b] = createMemoryPair();
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    b.pause();
    a.pause();
    a.write([pattern(100)]);
    b.write([pattern(50)]);
    await turns();
    a.reset();
    expect([a.bufferedBytes, b.bufferedBytes]).toEqual([0, 0]);
    b.resume();
    a.resume();
    await rb.whenClosed();
    await ra.whenClosed();
    expect([ra.receivedBytes, rb.receivedBytes]).toEqual([0, 0]);
    expect(a.stats.bytesDelivered).toBe(0);
  });

  it("reaches the other end even while delivery is stopped", async () => {
    const [a, b] = createMemoryPair();
    recordConnection(a);
    const rb = recordConnection(b);
    a.stopDelivery();
    a.write([pattern(10)]);
    a.reset();
    expect(await rb.whenClosed()).toMatchObject({ code: "ECONNRESET" });
    expect(rb.receivedBytes).toBe(0);
  });

  it("closes both ends with ECONNRESET on crash(), as if the process died", async () => {
    const [a, b] = createMemoryPair();
    const ra = recordConnection(a);
    const rb = recordConnection(b);
    a.write([pattern(10)]);
    a.crash();
    expect(await ra.whenClosed()).toMatchObject({ code: "ECONNRESET" });
    expect((await rb.whenClosed())?.message).toContain("crashed");
    expect(types(rb.events)).toEqual(["close"]);
  });

  it("fires onClose after attach() for an end reset before it", async () => {
    const [a, b] = createMemoryPair();
    a.reset();
    await turns();
    const rb = recordConnection(b);
    const ra = recordConnection(a);
    expect(await rb.whenClosed()).toMatchObject({ code: "ECONNRESET" });
    expect(await ra.whenClosed()).toBeUndefined();
  });
});

describe("memory pair close contract", () => {
  it("fires onClose exactly once and last, whatever is called after it", async () => {
    const [a, b] = createMemoryPair();
    const ra = recordConnection(a);
    const rb = recordConnection(b, { onEnd: (connection) => connection.end() });
    a.write([pattern(3)]);
    a.end();
    await ra.whenClosed();
    a.reset(new Error("late"));
    b.reset();
    a.crash();
    a.end();
    expect(a.write([pattern(1)])).toBe(false);
    a.pause();
    a.resume();
    await turns(10);
    expect(types(ra.events)).toEqual(["end", "close"]);
    expect(types(rb.events)).toEqual(["data", "end", "close"]);
    expect([...ra.violations, ...rb.violations]).toEqual([]);
    expect(ra.closeError).toBeUndefined();
  });

  it("never calls onClose inside reset() itself", () => {
    const [a, b] = createMemoryPair();
    const ra = recordConnection(a);
    recordConnection(b);
    a.reset();
    expect(ra.counts.closes).toBe(0);
  });

  it("refuses a second attach() with ALREADY_ATTACHED", () => {
    const [a] = createMemoryPair();
    recordConnection(a);
    expect(() => recordConnection(a)).toThrow(
      expect.objectContaining({ code: "ALREADY_ATTACHED", name: "AlreadyAttachedError" }),
    );
  });
});
