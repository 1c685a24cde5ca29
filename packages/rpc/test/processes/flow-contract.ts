// The contract of the stream flow-control tests: a fast producer, a slow reader, and a unary
// method that reports the serving process's counters and heap while a stream is stalled.
import { defineContract, z } from "../../src/index.js";

export const flow = defineContract({
  name: "flow",
  version: 1,
  requests: {
    /** `count` items of `size` bytes, as fast as the credit allows; the output is the count. */
    flood: {
      input: z.object({ count: z.number(), size: z.number() }),
      yields: z.instanceof(Uint8Array),
      output: z.number(),
      timeoutMs: 120_000,
    },
    /** Reads the caller's items slowly (1/ms for `slow`, a pause of `pauseMs`, then all). */
    sink: {
      input: z.object({ slow: z.number(), pauseMs: z.number() }),
      accepts: z.instanceof(Uint8Array),
      output: z.number(),
      timeoutMs: 120_000,
    },
    /** The server's counters: items produced and consumed, bytes buffered, heap after a GC. */
    stats: {
      input: z.null(),
      output: z.object({
        produced: z.number(),
        consumed: z.number(),
        buffered: z.number(),
        heapBytes: z.number(),
        streamsOpen: z.number(),
      }),
    },
    ping: { input: z.number(), output: z.number() },
  },
});
