// A server for the stream item memory tests, in its own process so that the test's process can
// stall while this one writes (and the other way round). Prints its URL on stdout.
import { setImmediate as nextTurn } from "node:timers/promises";
import { serve } from "../../src/index.js";
import { itemOf, mismatch, pattern, stallProcess, WIDE_WINDOWS } from "./pattern-contract.js";

/** Calls answered: every 1,000th stalls this process, so its socket goes unread meanwhile. */
let echoed = 0;

const server = await serve({
  url: process.argv[2] ?? "tcp://127.0.0.1:0",
  contract: pattern,
  ...WIDE_WINDOWS,
  handlers: {
    async *items({ count, sizes, paced }) {
      for (let i = 0; i < count; i++) {
        // Paced: one item per turn, so each write is one small frame, taken in part when the
        // kernel's buffer is all but full, the rest left waiting below the high-water mark.
        if (paced) await nextTurn();
        yield itemOf(i, sizes[i % sizes.length]!);
      }
      return count;
    },
    echo(body) {
      if (++echoed % 1_000 === 0) stallProcess(50);
      return body;
    },
    async check({ sizes, stallEvery }, ctx) {
      const bad: number[] = [];
      let i = 0;
      for await (const item of ctx.inputs) {
        if (mismatch(i, item, sizes)) bad.push(i);
        if (++i % stallEvery === 0) stallProcess(50);
      }
      return bad;
    },
  },
});
process.stdout.write(`${server.url}\n`);
