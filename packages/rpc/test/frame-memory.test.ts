/**
 * Call frames with byte-string bodies reuse their memory on a socket once it has taken every byte
 * (the peer's frame-slabs.ts), as stream items do (stream-item-memory.test.ts): every request and
 * every response must still arrive as it was sent when either process stalls (its socket goes
 * unread, the writer's kernel buffers fill, writes are taken in part and the rest waits in the
 * writer's memory), at sizes around the slab's and the codec's limits, 256 calls at a time. The
 * server runs in its own process, so one end stalls while the other writes.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { connect } from "../src/index.js";
import { tempSocketPath } from "./fixtures.js";
import { itemOf, mismatch, pattern, stallProcess } from "./processes/pattern-contract.js";
import { spawnScript } from "./processes/spawn.js";

/** Sizes cycled through: small, 1 KiB, near the codec's copy limit, past the slab's slice limit. */
const SIZES = [1_024, 1_024, 1_024, 100, 3_000, 5_000, 12_000, 20_000];
const CALLS = 8_000;
const CONCURRENCY = 256;
const STALL_EVERY = 1_000;

describe.each([
  ["tcp", () => "tcp://127.0.0.1:0"],
  ["unix", () => `unix://${tempSocketPath()}`],
])("call bodies over %s arrive intact", (_name, makeUrl) => {
  it("both ways, 256 calls at a time, while each process stalls now and then", {
    timeout: 60_000,
  }, async () => {
    const { firstLine: url } = await spawnScript("pattern-server.ts", [makeUrl()]);
    const client = await connect({ url, contract: pattern });
    onTestFinished(() => client.close());
    const bad: number[] = [];
    let next = 0;
    let answered = 0;
    async function worker(): Promise<void> {
      for (let i = next++; i < CALLS; i = next++) {
        const answer = await client.call.echo(itemOf(i, SIZES[i % SIZES.length]!));
        if (mismatch(i, answer, SIZES)) bad.push(i);
        if (++answered % STALL_EVERY === 0) stallProcess(50);
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(answered).toBe(CALLS);
    expect(bad).toEqual([]);
  });
});
