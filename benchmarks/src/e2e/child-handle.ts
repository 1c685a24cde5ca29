/**
 * The harness's side of a child process: spawn it (TypeScript through tsx, with the
 * `@parley/source` condition so workspace packages run from source), send it requests with a
 * timeout, and make sure it dies with the harness. Every child ever spawned is tracked, and killed
 * on exit, on SIGINT/SIGTERM and on an uncaught error, so a run leaves no orphans.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { IpcNotice, IpcReply, IpcRequest } from "./ipc.js";

const STDERR_TAIL_CHARS = 2_000;
const EXIT_WAIT_MS = 2_000;

const live = new Set<ChildProcess>();
let exitHooksInstalled = false;

function killAll(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
}

/**
 * How a child runs: from source (tsx's loader, workspace packages' `src/` through the
 * `@parley/source` condition) or compiled, as users run code (`benchmarks/dist/e2e/*.js` under
 * plain node, workspace packages through their published exports, i.e. their `dist/`).
 */
export type ChildMode = "source" | "compiled";

/** How a child starts: its mode, and a module it imports before anything else, if any. */
export interface ChildLaunch {
  readonly mode: ChildMode;
  readonly preload?: string | undefined;
}

/**
 * Where a child's entry (a module in this folder) is and the Node flags it needs; `gc()` is exposed
 * either way.
 */
export function childLaunch(entry: string, mode: ChildMode): { path: string; execArgv: string[] } {
  if (mode === "compiled") {
    const path = fileURLToPath(
      new URL(`../../dist/e2e/${entry.replace(/\.ts$/, ".js")}`, import.meta.url),
    );
    if (!existsSync(path)) {
      throw new Error(`${path} is missing: run \`npm run build\` first for --compiled`);
    }
    return { path, execArgv: ["--expose-gc"] };
  }
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const path = fileURLToPath(new URL(entry, import.meta.url));
  return { path, execArgv: ["--import", tsx, "--conditions=@parley/source", "--expose-gc"] };
}

/** The child is gone or stopped answering: nothing more can be measured with it. */
export class ChildFailure extends Error {
  override readonly name = "ChildFailure";
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onNotice: ((notice: string) => void) | undefined;
  timer: NodeJS.Timeout;
}

/** One child process and a request/reply channel to it. */
export class ChildHandle<Request> {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 1;
  private stderrTail = "";
  private exitReason: string | undefined;
  private killed = false;
  private readonly exited: Promise<void>;

  /**
   * Spawns `entry` (a module next to this one, e.g. `server-child.ts`) as `launch` says. With `cpuProfileDir`, the
   * child writes a V8 CPU profile there when it exits (`node --cpu-prof`).
   */
  constructor(
    entry: string,
    private readonly label: string,
    launch: ChildLaunch,
    cpuProfileDir?: string,
  ) {
    installExitHooks();
    const { path, execArgv } = childLaunch(entry, launch.mode);
    this.child = fork(path, [], {
      execArgv: [
        ...execArgv,
        // After tsx's loader, so a preload from source goes through it as the entry does.
        ...(launch.preload === undefined ? [] : ["--import", launch.preload]),
        ...(cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`]),
      ],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    live.add(this.child);
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    this.child.on("message", (message: IpcReply | IpcNotice) => this.settle(message));
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        live.delete(this.child);
        this.exitReason = `${this.label} exited (${signal ?? `code ${code}`})${this.lastError()}`;
        const error = new ChildFailure(this.exitReason);
        for (const entry of this.pending.values()) {
          clearTimeout(entry.timer);
          entry.reject(error);
        }
        this.pending.clear();
        resolve();
      });
    });
    this.child.on("error", () => this.child.kill("SIGKILL"));
  }

  /** Sends a request and waits at most `timeoutMs` for the reply; `onNotice` sees its notices. */
  request<Reply>(
    body: Request,
    timeoutMs: number,
    onNotice?: (notice: string) => void,
  ): Promise<Reply> {
    if (this.exitReason !== undefined) return Promise.reject(new ChildFailure(this.exitReason));
    const seq = this.nextSeq++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new ChildFailure(`${this.label} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = resolve as (value: unknown) => void;
      this.pending.set(seq, { resolve: settle, reject, onNotice, timer });
      try {
        this.child.send({ seq, body } satisfies IpcRequest<Request>);
      } catch (error) {
        this.pending.delete(seq);
        clearTimeout(timer);
        reject(new ChildFailure(`${this.label} cannot be reached: ${(error as Error).message}`));
      }
    });
  }

  /** Asks the child to stop, then kills it if it has not exited within a short grace period. */
  async stop(body: Request): Promise<void> {
    if (this.exitReason === undefined && !this.killed) {
      await this.request(body, EXIT_WAIT_MS).catch(() => undefined);
    }
    this.kill(EXIT_WAIT_MS);
    await this.exited;
  }

  /** Kills the child (after `graceMs` if given). */
  kill(graceMs = 0): void {
    if (this.exitReason !== undefined) return;
    if (graceMs === 0) {
      this.killed = true;
      this.child.kill("SIGKILL");
    } else setTimeout(() => this.child.kill("SIGKILL"), graceMs);
  }

  private settle(reply: IpcReply | IpcNotice): void {
    const entry = this.pending.get(reply.seq);
    if (entry === undefined) return;
    if ("notice" in reply) {
      entry.onNotice?.(reply.notice);
      return;
    }
    this.pending.delete(reply.seq);
    clearTimeout(entry.timer);
    if (reply.ok) entry.resolve(reply.value);
    else entry.reject(new Error(reply.error));
  }

  private lastError(): string {
    const lines = this.stderrTail
      .trim()
      .split("\n")
      .filter((line) => line.trim() !== "");
    const useful = lines.filter((line) => /error|Error|ERR_/.test(line));
    const line = useful[0] ?? lines[lines.length - 1];
    return line === undefined ? "" : `: ${line.trim()}`;
  }
}
