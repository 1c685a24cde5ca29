import { afterAll, expect } from "vitest";
import {
  createMemoryPair,
  describeTransportConformance,
  type MemoryPairOptions,
} from "../src/index.js";

/** How many times each target's teardown() ran: the suite must call it once. */
const teardowns = new Map<string, number>();

/** The suite against the memory pair: proof the suite holds for the reference implementation. */
function memoryTarget(name: string, options?: MemoryPairOptions) {
  return {
    name,
    // Like a shared net.Server's close(), which fails once the server is closed already.
    async teardown() {
      teardowns.set(name, (teardowns.get(name) ?? 0) + 1);
      if (teardowns.get(name)! > 1) throw new Error(`${name}: teardown() called again`);
    },
    resetIsVisibleToPeer: true,
    async openPair() {
      const [client, server] = createMemoryPair(options);
      return {
        client,
        server,
        async close() {
          client.reset();
        },
      };
    },
  };
}

describeTransportConformance(memoryTarget("memory"));
describeTransportConformance(
  memoryTarget("memory, re-cut to 1500 bytes with 1 ms latency", {
    chunkBytes: 1500,
    latencyMs: 1,
  }),
);

afterAll(() => {
  expect([...teardowns.values()]).toEqual([1, 1]);
});
