// Graceful shutdown under load. A client keeps hundreds of calls in flight against a server on a
// Unix socket; midway the server calls close(), which runs the Bye handshake: every call the
// server had accepted finishes and is answered, every call it had not accepted is refused with
// UNAVAILABLE, marked not executed and retryable, and nothing ends in between. A replacement server
// on the same path then takes the refused and remaining jobs: every job runs exactly once.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  type Client,
  type CloseInfo,
  connect,
  defineContract,
  isParleyError,
  serve,
  z,
} from "@parley/rpc";

/** The contract: one job per call. Not idempotent: a job must never run twice. */
export const jobs = defineContract({
  name: "jobs",
  version: 1,
  requests: {
    process: { input: z.object({ id: z.int() }), output: z.object({ id: z.int() }) },
  },
});

/** Sizes of a run. */
export interface LoadOptions {
  /** Jobs in all. @default 2000 */
  jobs?: number;
  /** Calls in flight at once. @default 400 */
  concurrency?: number;
  /** Completed calls before the first server closes. @default 500 */
  closeAfter?: number;
}

/** What the example did, for its test. */
export interface Result extends Required<LoadOptions> {
  /** Calls written and not answered when close() began (client side). */
  inFlightAtClose: number;
  /** Handlers running or queued on the server when close() began. */
  acceptedAtClose: number;
  /** Calls answered before close() began. */
  completedAtClose: number;
  /** Calls to the first server answered with a result. */
  completed: number;
  /** Calls the first server refused unexecuted: UNAVAILABLE, notExecuted, retryable. */
  refused: number;
  /** Calls that failed any other way: the connection lost them. Must be 0. */
  lost: number;
  /** The first client's CloseInfo. */
  closeInfo: CloseInfo;
  /** Jobs the replacement server ran. */
  completedAfterRestart: number;
  /** Times each job ran, over both servers (index = job id). */
  executions: number[];
}

/** Starts a jobs server on `url` that counts what it runs. */
function startServer(url: string, executions: number[]) {
  return serve({
    url,
    contract: jobs,
    handlers: {
      process: async ({ id }) => {
        executions[id] = (executions[id] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 1 + (id % 10))); // 1-10 ms of work
        return { id };
      },
    },
  });
}

/** Runs jobs from `queue` with `concurrency` workers until the queue is empty or a call is refused. */
async function drive(
  client: Client<typeof jobs>,
  queue: number[],
  concurrency: number,
  onCompleted: (count: number) => void,
) {
  const tally = { completed: 0, refused: 0, lost: 0 };
  const worker = async () => {
    while (queue.length > 0 && client.connected) {
      const id = queue.shift() as number;
      try {
        await client.call.process({ id });
        onCompleted(++tally.completed);
      } catch (error) {
        queue.push(id); // not done: it goes to the next server
        const refusedUnexecuted =
          isParleyError(error) &&
          error.code === "UNAVAILABLE" &&
          error.retryable &&
          (error as { notExecuted?: boolean }).notExecuted === true;
        if (refusedUnexecuted) tally.refused++;
        else tally.lost++;
        return; // this server is going away
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tally;
}

/** Serves `queue` from `url` under load and closes the server once `closeAfter` jobs are done. */
async function closeUnderLoad(
  url: string,
  queue: number[],
  executions: number[],
  sizes: Required<LoadOptions>,
  log: (line: string) => void,
) {
  const server = await startServer(url, executions);
  const client = await connect({ url, contract: jobs, maxPendingCalls: sizes.concurrency });
  log(`server 1 on ${url}: ${sizes.jobs} jobs, ${sizes.concurrency} calls at a time`);
  const atClose = { completed: 0, inFlight: 0, accepted: 0 };
  let completedSoFar = 0;
  let closing: Promise<void> | undefined;
  const tally = await drive(client, queue, sizes.concurrency, (completed) => {
    completedSoFar = completed;
    if (completed !== sizes.closeAfter) return;
    // On the next turn, when the workers just answered have sent their next calls.
    setImmediate(() => {
      atClose.completed = completedSoFar;
      atClose.inFlight = client.peer?.stats.callsInFlight ?? 0;
      for (const { peer } of server.connections) {
        atClose.accepted += peer.stats.handlersRunning + peer.stats.handlersQueued;
      }
      closing = server.close(); // Bye: finish what was accepted, refuse the rest
      log(
        `server.close() after ${atClose.completed} jobs, with ${atClose.inFlight} calls in flight ` +
          `(${atClose.accepted} accepted by the server, ${atClose.inFlight - atClose.accepted} on the way)`,
      );
    });
  });
  await closing; // the workers stop only once refused, so close() has begun by now
  const closeInfo = await client.closed;
  await client.close();
  return { tally, atClose, closeInfo };
}

/** Prints the outcome of the first server's shutdown. */
function report(outcome: Awaited<ReturnType<typeof closeUnderLoad>>, log: (line: string) => void) {
  const { tally, atClose, closeInfo } = outcome;
  const count = (n: number) => String(n).padStart(6);
  const late = tally.completed - atClose.completed;
  log(`  completed ${count(tally.completed)}  answered, ${late} of them after close() began`);
  log(`  refused   ${count(tally.refused)}  UNAVAILABLE, retryable, not executed`);
  log(`  lost      ${count(tally.lost)}`);
  const { completed, rejected, abandoned } = closeInfo.calls;
  log(
    `  client CloseInfo: ${closeInfo.initiator} ${closeInfo.reason}; ` +
      `calls completed ${completed}, rejected ${rejected}, abandoned ${abandoned}`,
  );
}

/** Closes a server under load, then finishes the work on a replacement at the same path. */
export async function run(log: (line: string) => void, options: LoadOptions = {}): Promise<Result> {
  const sizes = { jobs: 2_000, concurrency: 400, closeAfter: 500, ...options };
  if (sizes.closeAfter + sizes.concurrency >= sizes.jobs) {
    throw new RangeError("closeAfter + concurrency must be below jobs, or no call meets the Bye");
  }
  const url = `unix:///tmp/parley-${randomBytes(6).toString("hex")}.sock`;
  const executions: number[] = Array(sizes.jobs).fill(0);
  const queue = Array.from({ length: sizes.jobs }, (_, id) => id);

  const first = await closeUnderLoad(url, queue, executions, sizes, log);
  report(first, log);

  // The replacement binds the same path (the old one removed its socket file on close).
  const second = await startServer(url, executions);
  const client = await connect({ url, contract: jobs, maxPendingCalls: sizes.concurrency });
  const neverSent = queue.length - first.tally.refused;
  const rest = await drive(client, queue, sizes.concurrency, () => {});
  await client.close();
  await second.close();
  log(
    `server 2 on the same path ran the rest: ${rest.completed} jobs ` +
      `(${first.tally.refused} refused + ${neverSent} never sent)`,
  );
  const once = executions.filter((count) => count === 1).length;
  log(
    `every job ran exactly once: ${once === sizes.jobs ? "yes" : "NO"} (${once} of ${sizes.jobs})`,
  );
  return {
    ...sizes,
    inFlightAtClose: first.atClose.inFlight,
    acceptedAtClose: first.atClose.accepted,
    completedAtClose: first.atClose.completed,
    completed: first.tally.completed,
    refused: first.tally.refused,
    lost: first.tally.lost + rest.lost + rest.refused,
    closeInfo: first.closeInfo,
    completedAfterRestart: rest.completed,
    executions,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
