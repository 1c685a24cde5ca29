import { describe, expect, it } from "vitest";
import { HandlerQueue } from "../src/handler-run.js";
import { Latch, until } from "./support/async.js";

describe("HandlerQueue", () => {
  it("never runs more than maxRunning handlers, direct and queued together, and keeps order", async () => {
    const queue = new HandlerQueue(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 10 }, () => new Latch());
    for (const [i, gate] of gates.entries()) {
      queue.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await gate.promise;
        running--;
      });
    }
    expect(queue.running).toBe(3);
    expect(queue.queued).toBe(7);
    for (const [i, gate] of gates.entries()) {
      gate.open();
      await until(() => started.length === Math.min(10, i + 4));
    }
    await until(() => queue.running === 0 && queue.queued === 0);
    expect(peak).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("frees a slot at once for a synchronous handler", () => {
    const queue = new HandlerQueue(1);
    let ran = 0;
    for (let i = 0; i < 5; i++)
      queue.run(() => {
        ran++;
        return undefined;
      });
    expect(ran).toBe(5);
    expect(queue.running).toBe(0);
  });

  it("holds a slot until the handler's promise settles, even when it rejects", async () => {
    const queue = new HandlerQueue(1);
    const gate = new Latch();
    queue.run(() =>
      gate.promise.then(() => {
        throw new Error("x");
      }),
    );
    let second = false;
    queue.run(() => {
      second = true;
      return undefined;
    });
    expect(second).toBe(false);
    expect(queue.queued).toBe(1);
    gate.open();
    await until(() => second);
  });
});
