/**
 * Item frames reuse their memory on a socket once it has taken every byte (the peer's
 * frame-slabs.ts): every item must still arrive as it was yielded when the reading process stalls
 * (its socket goes unread, the writer's kernel buffers fill, writes are taken in part and the rest
 * waits in the writer's memory), both ways, at sizes around the slab's and the codec's limits. The
 * server runs in its own process, so one end stalls while the other writes.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect } from "../src/index.js";
import { tempSocketPath } from "./fixtures.js";
import {
  itemOf,
  mismatch,
  pattern,
  stallProcess,
  WIDE_WINDOWS,
} from "./processes/pattern-contract.js";
import { spawnScript } from "./processes/spawn.js";

/** Sizes cycled through: small, 1 KiB, near the codec's copy limit, past the slab's slice limit. */
const SIZES = [1_024, 1_024, 1_024, 100, 3_000, 5_000, 12_000, 20_000];
const COUNT = 8_000;
const STALL_EVERY = 1_000;

/** How a side sends its items: as fast as credit allows, or one per event-loop turn. */
const PACINGS = [
  ["as fast as credit allows", false],
  ["one per turn", true],
] as const;

describe.each([
  ["tcp", () => "tcp://127.0.0.1:0"],
  ["unix", () => `unix://${tempSocketPath()}`],
])("stream items over %s arrive intact", (_name, makeUrl) => {
  async function start() {
    const { firstLine: url } = await spawnScript("pattern-server.ts", [makeUrl()]);
    const client = await connect({ url, contract: pattern, ...WIDE_WINDOWS });
    onTestFinished(() => client.close());
    return client;
  }

  it.each(PACINGS)(
    "server items, written %s, read by a process that stalls now and then",
    {
      timeout: 60_000,
    },
    async (_how, paced) => {
      const client = await start();
      const stream = client.stream.items({ count: COUNT, sizes: SIZES, paced });
      const bad: number[] = [];
      let i = 0;
      for await (const item of stream) {
        if (mismatch(i, item, SIZES)) bad.push(i);
        if (++i % STALL_EVERY === 0) stallProcess(50);
      }
      expect(i).toBe(COUNT);
      expect(bad).toEqual([]);
      expect(await stream.result).toBe(COUNT);
    },
  );

  it.each(PACINGS)(
    "client items, sent %s to a process that stalls now and then",
    {
      timeout: 60_000,
    },
    async (_how, paced) => {
      const client = await start();
      async function* inputs() {
        for (let i = 0; i < COUNT; i++) {
          if (paced) await nextTurn();
          yield itemOf(i, SIZES[i % SIZES.length]!);
        }
      }
      const input = { sizes: SIZES, stallEvery: STALL_EVERY };
      expect(await client.call.check(input, { inputs: inputs() })).toEqual([]);
    },
  );
});
