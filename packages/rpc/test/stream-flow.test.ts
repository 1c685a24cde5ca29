/**
 * Flow control of streams over real TCP, against a server in its own process (so its heap is its
 * own): a slow reader holds a fast producer to the window, memory stays bounded on both ends, no
 * SLOW_CONSUMER, and unary calls on the same connection go on while a stream is stalled. Then the
 * same for a client stream, and cancellation repeated 10,000 times with a flat heap and handles.
 */

import { DEFAULT_STREAM_WINDOW_BYTES, DEFAULT_STREAM_WINDOW_ITEMS } from "@parley/peer";
import {
  collectAndMeasureHeap,
  expectNoLeakedHandles,
  type HeapSample,
  heapSlope,
  snapshotHandles,
} from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { flow } from "./processes/flow-contract.js";
import { spawnScript } from "./processes/spawn.js";

/** The default windows. */
const WINDOW_ITEMS = DEFAULT_STREAM_WINDOW_ITEMS;
const WINDOW_BYTES = DEFAULT_STREAM_WINDOW_BYTES;
const ITEM_BYTES = 1_024;
/** An item's frame: its 1 KiB body and a few bytes of header and msgpack. */
const MAX_ITEM_FRAME = ITEM_BYTES + 64;
const MIB = 1_048_576;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function flowClient() {
  const { firstLine: url } = await spawnScript("flow-server.ts", []);
  const client = await connect({ url, contract: flow });
  onTestFinished(() => client.close());
  return client;
}

describe("stream flow control over TCP", () => {
  it("a slow reader of a 200,000 x 1 KiB server stream bounds both ends; 1,000 unary calls pass meanwhile", {
    timeout: 90_000,
  }, async () => {
    const client = await flowClient();
    const before = await client.call.stats(null);
    const stream = client.stream.flood({ count: 200_000, size: ITEM_BYTES });
    const items = stream[Symbol.asyncIterator]();
    let consumed = 0;
    let maxBuffered = 0;
    let maxAhead = 0;
    const sample = async () => {
      const s = await client.call.stats(null);
      maxAhead = Math.max(maxAhead, s.produced - before.produced - consumed);
      return s;
    };
    // 1 item per ms for a second...
    while (consumed < 1_000) {
      expect((await items.next()).done).toBe(false);
      consumed++;
      maxBuffered = Math.max(maxBuffered, client.peer!.stats.streamBytesBuffered);
      if (consumed % 100 === 0) await sample();
      await sleep(1);
    }
    // ...then a 5 s stop, during which 1,000 unary calls on the same connection all succeed.
    const pauseEnd = Date.now() + 5_000;
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 1_000 }, (_, i) => client.call.ping(i)));
    const unaryMs = performance.now() - started;
    expect(answers).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    let paused = await sample();
    while (Date.now() < pauseEnd - 300) {
      await sleep(500);
      paused = await sample();
      maxBuffered = Math.max(maxBuffered, client.peer!.stats.streamBytesBuffered);
    }
    const heapGrowth = paused.heapBytes - before.heapBytes;
    // ...then drain.
    for (;;) {
      const next = await items.next();
      if (next.done) break;
      consumed++;
      maxBuffered = Math.max(maxBuffered, client.peer!.stats.streamBytesBuffered);
    }
    await expect(stream.result).resolves.toBe(200_000);
    expect(consumed).toBe(200_000);
    console.log(
      `[stream-flow] server stream: max ahead ${maxAhead}, max buffered ${maxBuffered} B, ` +
        `server heap growth ${(heapGrowth / MIB).toFixed(2)} MiB, 1000 unary calls in ${unaryMs.toFixed(0)} ms`,
    );
    expect(maxAhead).toBeLessThanOrEqual(WINDOW_ITEMS + 1);
    expect(maxBuffered).toBeLessThanOrEqual(WINDOW_BYTES + MAX_ITEM_FRAME);
    expect(heapGrowth).toBeLessThan(8 * MIB);
    expect(client.state).toBe("ready"); // no SLOW_CONSUMER: the connection is the same one
    expect((await client.call.stats(null)).streamsOpen).toBe(0);
  });

  it("a slow handler of a 100 MiB client stream bounds both ends", {
    timeout: 90_000,
  }, async () => {
    const client = await flowClient();
    const before = await client.call.stats(null);
    const count = 100 * 1_024; // 100 MiB of 1 KiB items
    let produced = 0;
    async function* chunks() {
      const item = new Uint8Array(ITEM_BYTES).fill(3);
      for (let i = 0; i < count; i++) {
        produced++;
        yield item;
      }
    }
    const done = client.call.sink({ slow: 1_000, pauseMs: 5_000 }, { inputs: chunks() });
    let maxAhead = 0;
    let maxBuffered = 0;
    let heapGrowth = 0;
    const deadline = Date.now() + 6_000;
    while (Date.now() < deadline) {
      await sleep(250);
      const s = await client.call.stats(null);
      maxAhead = Math.max(maxAhead, produced - (s.consumed - before.consumed));
      maxBuffered = Math.max(maxBuffered, s.buffered);
      heapGrowth = Math.max(heapGrowth, s.heapBytes - before.heapBytes);
    }
    await expect(done).resolves.toBe(count);
    expect(produced).toBe(count);
    console.log(
      `[stream-flow] client stream: max ahead ${maxAhead}, server buffered max ${maxBuffered} B, ` +
        `server heap growth ${(heapGrowth / MIB).toFixed(2)} MiB`,
    );
    expect(maxAhead).toBeLessThanOrEqual(WINDOW_ITEMS + 1);
    expect(maxBuffered).toBeLessThanOrEqual(WINDOW_BYTES + MAX_ITEM_FRAME);
    expect(heapGrowth).toBeLessThan(8 * MIB);
    expect(client.state).toBe("ready");
  });
});

describe("cancellation frees both sides", () => {
  const REPETITIONS = 10_000;

  it(`${REPETITIONS} times: break after 10 items, the handler's finally runs, nothing is left`, {
    timeout: 120_000,
  }, async () => {
    let finallies = 0;
    let signalOnly = 0;
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: flow,
      handlers: {
        async *flood({ size }, ctx) {
          const item = new Uint8Array(size);
          try {
            for (let i = 0; ; i++) {
              yield item;
              if (size === 0 && i === 10) {
                // A handler awaiting something that settles only on its signal still ends.
                await new Promise((_resolve, reject) => {
                  ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
                });
              }
            }
          } finally {
            finallies++;
            if (size === 0) signalOnly++;
          }
        },
        sink: () => 0,
        stats: () => ({ produced: 0, consumed: 0, buffered: 0, heapBytes: 0, streamsOpen: 0 }),
        ping: (n) => n,
      },
    });
    const before = snapshotHandles();
    const client = await connect({ url: server.url, contract: flow });
    const once = async (i: number) => {
      const stream = client.stream.flood({ count: 0, size: i % 2 === 0 ? 16 : 0 });
      let n = 0;
      for await (const _ of stream) if (++n === 11) break;
      await stream.result.catch((error: { code?: string }) => {
        if (error.code !== "CANCELLED") throw error;
      });
    };
    for (let i = 0; i < 200; i++) await once(i); // warm up
    const samples: HeapSample[] = [];
    for (let slice = 1; slice <= 10; slice++) {
      for (let i = 0; i < REPETITIONS / 10; i++) await once(i);
      samples.push({ x: slice * (REPETITIONS / 10), bytes: collectAndMeasureHeap() });
    }
    const peer = server.connections[0]!.peer;
    await expect.poll(() => finallies).toBe(REPETITIONS + 200);
    expect(signalOnly).toBe((REPETITIONS + 200) / 2);
    await expect.poll(() => peer.stats.streamsOpen).toBe(0);
    expect(peer.stats.handlersRunning).toBe(0);
    expect(client.peer!.stats.streamsOpen).toBe(0);
    expect(client.peer!.stats.callsInFlight).toBe(0);
    const slope = heapSlope(samples.slice(1));
    console.log(`[stream-flow] cancel x${REPETITIONS}: heap slope ${slope.toFixed(1)} B/stream`);
    expect(slope).toBeLessThan(64); // a leak of one stream's state would be kilobytes
    await client.close();
    await server.close();
    await expectNoLeakedHandles(before);
  });
});
