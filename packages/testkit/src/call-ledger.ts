import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { requiredString } from "@parley/framing/internal";

/**
 * A file of executed call ids, one per line, written by a server (usually in a child process that a
 * test kills) and read by the test afterwards. Each `record()` is one `write(2)` to a file opened
 * for appending, so a line is in the kernel's page cache before the handler goes on: a SIGKILL
 * right after it cannot lose it, which an IPC message or a buffered stream could.
 */
export class CallLedger {
  private fd: number | undefined;

  private constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  /** Opens (creating if needed) the ledger at `path` for appending. */
  static open(path: string): CallLedger {
    return new CallLedger(requiredString("path", path));
  }

  /** Appends `id`: call it first thing in the handler, so "recorded" means "started to execute". */
  record(id: string): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${id}\n`);
  }

  /** Closes the file; later `record()`s are ignored. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** How many times each id in the ledger file at `path` was recorded (empty if there is no file). */
export function readCallLedger(path: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(path)) return counts;
  for (const id of readFileSync(path, "utf8").split("\n")) {
    if (id !== "") counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
