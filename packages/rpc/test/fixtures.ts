import { randomBytes } from "node:crypto";
import { defineContract, z } from "../src/index.js";

/** A short, unique Unix socket path under /tmp (well under the 107-byte limit). */
export function tempSocketPath(): string {
  return `/tmp/parley-rpc-${randomBytes(5).toString("hex")}.sock`;
}

/** The contract the rpc tests serve. */
export const testContract = defineContract({
  name: "rpc-test",
  version: 1,
  requests: {
    echo: { input: z.string(), output: z.string(), idempotent: true },
    slow: { input: z.object({ ms: z.number() }), output: z.number() },
    slowIdempotent: { input: z.object({ ms: z.number() }), output: z.number(), idempotent: true },
    count: { input: z.null(), output: z.number() },
  },
  signals: { note: z.string() },
});

/** Handlers for {@link testContract}: `slow` waits, honouring cancellation. */
export function testHandlers(counter: { calls: number; aborted?: number } = { calls: 0 }) {
  const slow = ({ ms }: { ms: number }, ctx: { signal: AbortSignal }) =>
    new Promise<number>((resolve, reject) => {
      counter.calls++;
      const timer = setTimeout(() => resolve(ms), ms);
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        counter.aborted = (counter.aborted ?? 0) + 1;
        reject(ctx.signal.reason);
      });
    });
  return { echo: (text: string) => text, slow, slowIdempotent: slow, count: () => ++counter.calls };
}

/** Inputs that count how many were pulled and how often their return() ran. */
export function countedInputs(values: number[]) {
  const counts = { pulled: 0, returned: 0 };
  const inputs: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return {
        next: async () => {
          if (i >= values.length) return { done: true, value: undefined };
          counts.pulled++;
          return { done: false, value: values[i++]! };
        },
        return: async () => {
          counts.returned++;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { inputs, counts };
}

/** Every item of `stream`, in order. */
export async function collect(stream: AsyncIterable<number>): Promise<number[]> {
  const items: number[] = [];
  for await (const item of stream) items.push(item);
  return items;
}
