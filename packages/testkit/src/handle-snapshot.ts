import { readdirSync } from "node:fs";
import { integerAtLeast } from "@parley/framing/internal";
import { LeakedHandlesError } from "./errors.js";

/** How long {@link expectNoLeakedHandles} waits for handles to close before it reports a leak. */
export const DEFAULT_LEAK_TIMEOUT_MS = 2_000;

/** What the process holds open at one moment: resource kinds with counts, and open fds. */
export interface HandleSnapshot {
  /** Count per kind from `process.getActiveResourcesInfo()`: `TCPSocketWrap`, `Timeout`, ... */
  readonly resources: Readonly<Record<string, number>>;
  /** Entries of `/proc/self/fd`, or `undefined` where the platform has no such directory. */
  readonly fds: number | undefined;
}

/** Options of {@link expectNoLeakedHandles}. */
export interface LeakCheckOptions {
  /**
   * Handles close asynchronously: keep checking this long before reporting a leak.
   * @default 2000 ({@link DEFAULT_LEAK_TIMEOUT_MS})
   */
  timeoutMs?: number;
  /**
   * Resource kinds not to compare (for example `"Timeout"` when the test framework's own timers
   * differ between the two snapshots).
   * @default []
   */
  ignore?: readonly string[];
  /**
   * Compare the number of open file descriptors too (where `/proc/self/fd` exists).
   * @default true
   */
  checkFds?: boolean;
}

/** Records what the process holds open now; pass it to {@link expectNoLeakedHandles} later. */
export function snapshotHandles(): HandleSnapshot {
  const resources: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
  return Object.freeze({ resources: Object.freeze(resources), fds: countFds() });
}

/**
 * Resolves once the process holds no more resources of any kind, and no more file descriptors,
 * than it did at `before`. Handles close asynchronously, so it polls until `timeoutMs` first.
 * @throws {LeakedHandlesError} `LEAKED_HANDLES` listing what is still open, after `timeoutMs`.
 * @example
 * const before = snapshotHandles();
 * // ... open and close sockets ...
 * await expectNoLeakedHandles(before);
 */
export async function expectNoLeakedHandles(
  before: HandleSnapshot,
  options: LeakCheckOptions = {},
): Promise<void> {
  const timeoutMs =
    options.timeoutMs === undefined
      ? DEFAULT_LEAK_TIMEOUT_MS
      : integerAtLeast("timeoutMs", options.timeoutMs, 0);
  const ignore = new Set(options.ignore ?? []);
  const deadline = performance.now() + timeoutMs;
  for (let waitMs = 1; ; waitMs = Math.min(waitMs * 2, 100)) {
    const leaks = findLeaks(before, snapshotHandles(), ignore, options.checkFds ?? true);
    if (leaks.length === 0) return;
    if (performance.now() >= deadline) {
      throw new LeakedHandlesError(
        `still open ${timeoutMs} ms after the test: ${leaks.join(", ")}; close every socket, ` +
          "server and timer the test opened (or raise timeoutMs if they close slowly)",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** Describes each kind (and the fd table) that grew between the two snapshots. */
function findLeaks(
  before: HandleSnapshot,
  after: HandleSnapshot,
  ignore: Set<string>,
  checkFds: boolean,
): string[] {
  const leaks: string[] = [];
  for (const [kind, count] of Object.entries(after.resources)) {
    const was = before.resources[kind] ?? 0;
    if (!ignore.has(kind) && count > was)
      leaks.push(`${count - was} more ${kind} (${count} vs ${was})`);
  }
  if (checkFds && before.fds !== undefined && after.fds !== undefined && after.fds > before.fds) {
    leaks.push(`${after.fds - before.fds} more file descriptors (${after.fds} vs ${before.fds})`);
  }
  return leaks;
}

function countFds(): number | undefined {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}
