/**
 * The harness talks to its children over Node's IPC channel with numbered request/reply pairs; a
 * child may send notices about a request while it runs (the client's measured window opening and
 * closing). The harness bounds every wait with a timeout.
 */
import type { Endpoint, ListenSpec, TransportKind } from "../systems/system.js";
import type { LatencySummary } from "./histogram.js";

/** CPU time in microseconds, as `process.cpuUsage()` reports it (whole process, every thread). */
export interface CpuTime {
  readonly user: number;
  readonly system: number;
}

/** Requests the harness sends to a server child. */
export type ServerRequest =
  | { readonly type: "start"; readonly system: string; readonly listen: readonly ListenSpec[] }
  | { readonly type: "cpu"; readonly collectGarbage: boolean }
  | { readonly type: "stop" };

/** Requests the harness sends to a client child. */
export type ClientRequest =
  | { readonly type: "load"; readonly system: string }
  | {
      readonly type: "open";
      readonly endpoint: Endpoint;
      readonly concurrency: number;
      readonly payloadBytes: number;
    }
  | {
      readonly type: "run";
      readonly warmupMs: number;
      readonly warmupRequests: number;
      readonly durationMs: number;
      readonly maxRequests: number;
      readonly collectGarbage: boolean;
    }
  | { readonly type: "release" }
  | { readonly type: "stop" };

/** A server child's listeners after `start`: an endpoint, or why that transport failed. */
export type StartedListeners = Partial<
  Record<TransportKind, { endpoint: Endpoint } | { error: string }>
>;

/** What the client child reports after `run`. */
export interface MeasureReply {
  readonly completed: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly elapsedMs: number;
  readonly latency: LatencySummary;
  readonly cpu: CpuTime;
}

/** Envelope of a request. */
export interface IpcRequest<T> {
  readonly seq: number;
  readonly body: T;
}

/** Envelope of a reply: a value, or the message of what the child threw. */
export type IpcReply =
  | { readonly seq: number; readonly ok: true; readonly value: unknown }
  | { readonly seq: number; readonly ok: false; readonly error: string };

/** A notice a child sends while still working on request `seq` (e.g. "measured window opens"). */
export interface IpcNotice {
  readonly seq: number;
  readonly notice: string;
}

/** Sends a notice about the request being handled. */
export type Notify = (notice: string) => void;

/**
 * Runs in a child: answers each request with `handle`, and exits when the harness goes away (the
 * IPC channel closes), so no child outlives its harness.
 */
export function serveRequests<T>(handle: (request: T, notify: Notify) => Promise<unknown>): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error("this module runs only as a child of the harness");
  process.on("disconnect", () => process.exit(0));
  process.on("message", (message: IpcRequest<T>) => {
    const notify: Notify = (notice) => send({ seq: message.seq, notice } satisfies IpcNotice);
    handle(message.body, notify).then(
      (value) => send({ seq: message.seq, ok: true, value } satisfies IpcReply),
      (error: unknown) =>
        send({
          seq: message.seq,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        } satisfies IpcReply),
    );
  });
}

/** Process-wide CPU time consumed so far. */
export function cpuNow(): CpuTime {
  const { user, system } = process.cpuUsage();
  return { user, system };
}
