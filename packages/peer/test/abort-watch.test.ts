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
  it("tells every member of a signal, in order, even when one throws, then throws its error", () => {
    const watch = new AbortWatch<Member>();
    const { signal } = new AbortController();
    const heard: string[] = [];
    const member = (name: string, fails = false) => ({
      handleEvent() {
        heard.push(name);
        if (fails) throw new Error(`${name} failed`);
      },
    });
    for (const m of [member("a"), member("b", true), member("c")]) watch.watch(signal, m);
    expect(watch.size).toBe(1);
    const listener = listenerOf(signal);
    expect(() => listener.handleEvent()).toThrow("b failed");
    expect(heard).toEqual(["a", "b", "c"]);
    expect(watch.size).toBe(0);
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
