// The contract and items of the frame memory tests (stream-item-memory.test.ts, frame-memory.test.ts):
// every item and call body carries a pattern of its own, so one written from memory reused too
// early shows.
import { defineContract, z } from "../../src/index.js";

const bytes = z.instanceof(Uint8Array);

export const pattern = defineContract({
  name: "pattern",
  version: 1,
  requests: {
    items: {
      input: z.object({ count: z.number(), sizes: z.array(z.number()), paced: z.boolean() }),
      yields: bytes,
      output: z.number(),
      timeoutMs: 60_000,
    },
    check: {
      input: z.object({ sizes: z.array(z.number()), stallEvery: z.number() }),
      accepts: bytes,
      output: z.array(z.number()),
      timeoutMs: 60_000,
    },
    /** Answers with the body it got; the serving process stalls every 1,000th call. */
    echo: { input: bytes, output: bytes },
  },
});

/**
 * Windows wide enough for a whole test stream: while the reading process stalls, the writer fills
 * the kernel's buffers and then its socket's own, so writes are taken in part.
 */
export const WIDE_WINDOWS = { streamWindowItems: 100_000, streamWindowBytes: 256 * 1_048_576 };

/** Item `i` of `size` bytes: a pattern no other item shares at the same offsets. */
export function itemOf(i: number, size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let j = 0; j < size; j++) out[j] = (i * 131 + j * 7 + (i >>> 8)) & 0xff;
  return out;
}

/** True when `item` is not item `i` (size from `sizes`, cycled) as it was sent. */
export function mismatch(i: number, item: Uint8Array, sizes: readonly number[]): boolean {
  const expected = itemOf(i, sizes[i % sizes.length]!);
  return item.length !== expected.length || !expected.every((b, j) => item[j] === b);
}

/** Blocks this whole process for `ms` (not only this task): its sockets go unread meanwhile. */
export function stallProcess(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
