import { readdirSync } from "node:fs";

/**
 * The number of open file descriptors of process `pid` (default: this one), from `/proc/<pid>/fd`;
 * `undefined` where there is no such directory (not Linux, or the process is gone).
 */
export function countOpenFds(pid: number | "self" = "self"): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}
