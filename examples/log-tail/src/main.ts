// A server stream: the client tails a service's log. The handler is an async generator that yields
// the lines matching a level and returns a summary; the client reads them with `for await` and
// gets the summary from `result`. A second tail stops early with `break`: the server's generator
// is cancelled and its `finally` runs.
import { fileURLToPath } from "node:url";
import { connect, defineContract, serve, z } from "@parley/rpc";

const level = z.enum(["debug", "info", "warn", "error"]);

/** The contract both ends share. A stream method states its own deadline. */
export const logs = defineContract({
  name: "logs",
  version: 1,
  requests: {
    tail: {
      input: z.object({ minLevel: level }),
      yields: z.object({ at: z.number(), level, text: z.string() }),
      output: z.object({ lines: z.number(), skipped: z.number() }),
      timeoutMs: 30_000,
    },
  },
});

const RANK = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/** A log of `count` lines, as a service would keep it. */
function makeLog(count: number) {
  const levels = ["debug", "info", "info", "warn", "error"] as const;
  return Array.from({ length: count }, (_, i) => ({
    at: 1_700_000_000_000 + i * 1_000,
    level: levels[i % levels.length]!,
    text: `event ${i}`,
  }));
}

/** What the example did, for its test. */
export interface Result {
  lines: string[];
  summary: { lines: number; skipped: number };
  earlyStop: { read: number; code: string | undefined; generatorFinished: boolean };
}

/** Serves a log, tails it twice (to the end, then stopping after 3 lines), then closes. */
export async function run(log: (line: string) => void): Promise<Result> {
  const entries = makeLog(1_000);
  let generatorFinished = false;
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract: logs,
    handlers: {
      async *tail({ minLevel }) {
        let lines = 0;
        let skipped = 0;
        try {
          for (const entry of entries) {
            if (RANK[entry.level] < RANK[minLevel]) {
              skipped++;
              continue;
            }
            lines++;
            yield entry; // waits here while the client has no room: no unbounded buffering
          }
          return { lines, skipped };
        } finally {
          generatorFinished = true;
        }
      },
    },
  });
  const client = await connect({ url: server.url, contract: logs });

  const lines: string[] = [];
  const errors = client.stream.tail({ minLevel: "error" });
  for await (const entry of errors) lines.push(`${entry.level} ${entry.text}`);
  const summary = await errors.result;
  log(`${lines.length} error lines, first: ${lines[0]}; summary ${JSON.stringify(summary)}`);

  generatorFinished = false;
  const all = client.stream.tail({ minLevel: "debug" });
  let read = 0;
  for await (const _entry of all) if (++read === 3) break; // sends Cancel
  const code = await all.result.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
  while (!generatorFinished) await new Promise((resolve) => setTimeout(resolve, 1));
  log(
    `stopped after ${read} lines: result ${code}, server generator finished: ${generatorFinished}`,
  );

  await client.close();
  await server.close();
  return { lines, summary, earlyStop: { read, code, generatorFinished } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
