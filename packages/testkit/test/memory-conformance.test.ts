import {
  createMemoryPair,
  describeTransportConformance,
  type MemoryPairOptions,
} from "../src/index.js";

/** The suite against the memory pair: proof the suite holds for the reference implementation. */
function memoryTarget(name: string, options?: MemoryPairOptions) {
  return {
    name,
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
