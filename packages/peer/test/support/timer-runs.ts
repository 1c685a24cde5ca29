import { onTestFinished, vi } from "vitest";
import type { DeadlineTimer } from "../../src/pending-call.js";

/**
 * Counts how often `timers`' own timer runs, by wrapping the private method its `setTimeout`
 * callback calls: the only way to see a timer that fires and finds nothing due.
 */
export function countTimerRuns(timers: DeadlineTimer): () => number {
  const inner = timers as unknown as { onTimer(): void };
  const original = inner.onTimer.bind(inner);
  let runs = 0;
  inner.onTimer = () => {
    runs++;
    original();
  };
  return () => runs;
}

/** Collects the process warnings named `name` until the test ends. */
export function collectWarnings(name: string): Error[] {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => {
    if (warning.name === name) warnings.push(warning);
  };
  process.on("warning", onWarning);
  onTestFinished(() => {
    process.off("warning", onWarning);
  });
  return warnings;
}

/**
 * Counts the clock readings (`performance.now()`) made by the engine's own code, not by the memory
 * connection that carries the frames, until the test ends. `count` reads the total, `reset` starts
 * it over, `real` reads the clock without counting.
 */
export function countEngineClockReads(): { count(): number; reset(): void; real(): number } {
  let reads = 0;
  const real = performance.now.bind(performance);
  const clock = vi.spyOn(performance, "now").mockImplementation(() => {
    if (new Error().stack?.includes("/peer/src/")) reads++;
    return real();
  });
  onTestFinished(() => clock.mockRestore());
  return { count: () => reads, reset: () => (reads = 0), real };
}
