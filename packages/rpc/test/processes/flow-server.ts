// A server for the stream flow-control tests, in its own process so that its heap is its own.
// Prints its URL on stdout.
import { collectAndMeasureHeap } from "@parley/testkit";
import { type PeerStats, serve } from "../../src/index.js";
import { flow } from "./flow-contract.js";

let produced = 0;
let consumed = 0;
/** The stats of the (one) connection under test, once the server is up. */
let connectionStats: () => PeerStats | undefined = () => undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const server = await serve({
  url: process.argv[2] ?? "tcp://127.0.0.1:0",
  contract: flow,
  handlers: {
    async *flood({ count, size }) {
      const item = new Uint8Array(size).fill(7);
      for (let i = 0; i < count; i++) {
        produced++;
        yield item;
      }
      return count;
    },
    async sink({ slow, pauseMs }, ctx) {
      let n = 0;
      for await (const _ of ctx.inputs) {
        consumed++;
        n++;
        if (n < slow) await sleep(1);
        else if (n === slow) await sleep(pauseMs);
      }
      return n;
    },
    stats() {
      const stats = connectionStats();
      return {
        produced,
        consumed,
        buffered: stats?.streamBytesBuffered ?? 0,
        heapBytes: collectAndMeasureHeap(),
        streamsOpen: stats?.streamsOpen ?? 0,
      };
    },
    ping: (n) => n,
  },
});
connectionStats = () => server.connections[0]?.peer.stats;
process.stdout.write(`${server.url}\n`);
