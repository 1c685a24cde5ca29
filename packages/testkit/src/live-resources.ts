import { createHook } from "node:async_hooks";

/** Counts of live async resources by type; see {@link trackLiveResources}. */
export interface LiveResources {
  /** Resources of `type` (`"Timeout"`, `"TCPWRAP"`, `"PIPEWRAP"`, ...) created since the start and not yet destroyed. */
  live(type: string): number;
  /** Stops counting (disables the hook); the counts stay readable. */
  stop(): void;
}

/**
 * Counts async resources by type from now on, through `async_hooks` (created minus destroyed), so
 * unref'd timers count too: `process.getActiveResourcesInfo()` lists only ref'd ones, and an
 * unref'd timer a closed connection forgot is exactly what a leak check must see. A timer is
 * destroyed when it fires (not repeating) or is cleared; Node reports that a little later (on a
 * later turn of the event loop), so read the counts after an `await`. Costs a hook call per resource (promises
 * included) while on: enable it around the code under test only.
 */
export function trackLiveResources(): LiveResources {
  const types = new Map<number, string>();
  const counts = new Map<string, number>();
  const hook = createHook({
    init(asyncId, type) {
      types.set(asyncId, type);
      counts.set(type, (counts.get(type) ?? 0) + 1);
    },
    destroy(asyncId) {
      const type = types.get(asyncId);
      if (type === undefined) return;
      types.delete(asyncId);
      counts.set(type, counts.get(type)! - 1);
    },
  }).enable();
  return {
    live: (type) => counts.get(type) ?? 0,
    stop: () => void hook.disable(),
  };
}
