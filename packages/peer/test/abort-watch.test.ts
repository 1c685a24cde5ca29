import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { AbortWatch } from "../src/abort-watch.js";

type Member = { handleEvent(): void };

/** The one `abort` listener the watch put on `signal` (called directly: a throw stays here). */
function listenerOf(signal: AbortSignal): Member {
  const listeners = getEventListeners(signal, "abort");
  expect(listeners).toHaveLength(1);
  return listeners[0] as unknown as Member;
}

describe("AbortWatch", () => {
  it("tells every member of a signal, in order, and reports each member's throw on its own", () => {
    const reported: unknown[] = [];
    const watch = new AbortWatch<Member>((error) => reported.push(error));
    const { signal } = new AbortController();
    const heard: string[] = [];
    const member = (name: string, fails = false) => ({
      handleEvent() {
        heard.push(name);
        if (fails) throw new Error(`${name} failed`);
      },
    });
    for (const m of [member("a"), member("b", true), member("c"), member("d", true)]) {
      watch.watch(signal, m);
    }
    expect(watch.size).toBe(1);
    listenerOf(signal).handleEvent();
    expect(heard).toEqual(["a", "b", "c", "d"]);
    expect(reported.map((e) => (e as Error).message)).toEqual(["b failed", "d failed"]);
    expect(watch.size).toBe(0);
  });

  it("reports a member's throw as an uncaught exception by default, as EventTarget does", async () => {
    const watch = new AbortWatch<Member>();
    const controller = new AbortController();
    watch.watch(controller.signal, {
      handleEvent() {
        throw new Error("member failed");
      },
    });
    const listeners = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    const caught: unknown[] = [];
    process.on("uncaughtException", (error) => caught.push(error));
    try {
      controller.abort();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.removeAllListeners("uncaughtException");
      for (const listener of listeners) process.on("uncaughtException", listener);
    }
    expect(caught.map((e) => (e as Error).message)).toEqual(["member failed"]);
  });

  it("removes the signal's one listener with its last member, and not before", () => {
    const watch = new AbortWatch<Member>();
    const { signal } = new AbortController();
    const a = { handleEvent() {} };
    const b = { handleEvent() {} };
    watch.watch(signal, a);
    watch.watch(signal, b);
    watch.unwatch(signal, a);
    listenerOf(signal);
    watch.unwatch(signal, b);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    expect(watch.size).toBe(0);
  });
});
