// tofu's progress pattern: a long job streams progress items while it works and ends with its
// result, on one call. Progress shares the job's call (no separate signal to correlate by id), so
// it has an end, an error and cancellation: when the caller gives up (its AbortSignal), the job's
// signal aborts and it stops between steps.
import { fileURLToPath } from "node:url";
import { connect, defineContract, serve, z } from "@parley/rpc";

/** The contract both ends share. */
export const jobs = defineContract({
  name: "jobs",
  version: 1,
  requests: {
    /** Sums 1..n in `steps` steps, reporting progress after each one. */
    sum: {
      input: z.object({ n: z.number().int().positive(), steps: z.number().int().positive() }),
      yields: z.object({ step: z.number(), of: z.number(), note: z.string() }),
      output: z.object({ total: z.number() }),
      timeoutMs: 10_000,
    },
  },
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

/** What the example did, for its test. */
export interface Result {
  progress: string[];
  total: number;
  cancelled: { code: string | undefined; stepsDone: number; jobAborted: boolean };
}

/** Runs one job to its end, and a second one that the caller cancels halfway. */
export async function run(log: (line: string) => void): Promise<Result> {
  let stepsDone = 0;
  let jobAborted = false;
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract: jobs,
    handlers: {
      async *sum({ n, steps }, ctx) {
        let total = 0;
        const per = Math.ceil(n / steps);
        try {
          for (let step = 1; step <= steps && !ctx.signal.aborted; step++) {
            const from = (step - 1) * per + 1;
            for (let i = from; i <= Math.min(n, step * per); i++) total += i;
            await tick(); // the work takes time
            stepsDone = step;
            yield { step, of: steps, note: `summed up to ${Math.min(n, step * per)}` };
          }
          return { total };
        } finally {
          // Cancelled: the engine stops the generator at its yield (or the loop sees the signal).
          if (ctx.signal.aborted) jobAborted = true;
        }
      },
    },
  });
  const client = await connect({ url: server.url, contract: jobs });

  const progress: string[] = [];
  const job = client.stream.sum({ n: 1_000_000, steps: 10 });
  for await (const p of job) {
    progress.push(`${p.step}/${p.of} ${p.note}`);
    log(`progress ${p.step}/${p.of}: ${p.note}`);
  }
  const { total } = await job.result;
  log(`result: ${total}`);

  const controller = new AbortController();
  const long = client.stream.sum({ n: 1_000_000, steps: 1_000 }, { signal: controller.signal });
  let code: string | undefined;
  try {
    for await (const p of long) if (p.step === 5) controller.abort();
  } catch (error) {
    code = (error as { code?: string }).code;
  }
  while (!jobAborted) await tick();
  log(`cancelled at step ${stepsDone} of 1000: ${code}; the job stopped: ${jobAborted}`);

  await client.close();
  await server.close();
  return { progress, total, cancelled: { code, stepsDone, jobAborted } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
