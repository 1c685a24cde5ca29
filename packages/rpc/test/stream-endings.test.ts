/**
 * How a stream ends when the connection does, over real sockets: a reset mid-stream (through the
 * testkit chaos proxy) and a server's graceful close with an endless stream open.
 */
import { createChaosProxy } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { flow } from "./processes/flow-contract.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server of endless `flood` streams: records its generators' ends. */
async function endlessServer(closeTimeoutMs = 10_000) {
  const ends: string[] = [];
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract: flow,
    closeTimeoutMs,
    handlers: {
      async *flood({ size }, ctx) {
        const item = new Uint8Array(size);
        let sent = 0;
        try {
          // size 0: ignore draining (only closeTimeoutMs ends it); otherwise end on it, cleanly.
          while (size === 0 || !ctx.draining.aborted) {
            yield item;
            sent++;
            await sleep(1);
          }
          return sent;
        } finally {
          ends.push(ctx.signal.aborted ? "aborted" : ctx.draining.aborted ? "drained" : "ended");
        }
      },
      async sink(_input, ctx) {
        let n = 0;
        for await (const _ of ctx.inputs) n++;
        return n;
      },
      stats: () => ({ produced: 0, consumed: 0, buffered: 0, heapBytes: 0, streamsOpen: 0 }),
      ping: (n) => n,
    },
  });
  onTestFinished(() => server.close());
  return { server, ends };
}

describe("a stream when its connection ends", () => {
  it("reset mid-stream (chaos proxy): the loop throws CONNECTION_LOST, inputs.return() runs, nothing is replayed", async () => {
    const { server, ends } = await endlessServer();
    const port = Number(new URL(server.url).port);
    const proxy = await createChaosProxy({ target: { host: "127.0.0.1", port } });
    onTestFinished(() => proxy.close());
    const address = proxy.address as { host: string; port: number };
    const client = await connect({ url: `tcp://${address.host}:${address.port}`, contract: flow });
    onTestFinished(() => client.close());
    let producerFinished = false;
    async function* chunks() {
      try {
        for (;;) {
          yield new Uint8Array(8);
          await sleep(1);
        }
      } finally {
        producerFinished = true;
      }
    }
    const upload = client.call.sink({ slow: 0, pauseMs: 0 }, { inputs: chunks() });
    const stream = client.stream.flood({ count: 0, size: 16 });
    let received = 0;
    const loop = (async () => {
      for await (const _ of stream) if (++received === 20) proxy.resetAll();
    })();
    await expect(loop).rejects.toMatchObject({ code: "CONNECTION_LOST" });
    await expect(stream.result).rejects.toMatchObject({ code: "CONNECTION_LOST" });
    await expect(upload).rejects.toMatchObject({ code: "CONNECTION_LOST" });
    await expect.poll(() => producerFinished).toBe(true);
    await expect.poll(() => [...ends].sort()).toEqual(["aborted"]);
    expect(received).toBeGreaterThanOrEqual(20);
    // Nothing replayed: the client made exactly the two calls it was asked for.
    expect(server.connections.length).toBe(0);
  });

  it("server close() with endless streams open: one ends cleanly on ctx.draining, the other is ABANDONED at closeTimeoutMs", async () => {
    const { server, ends } = await endlessServer(300);
    const client = await connect({ url: server.url, contract: flow });
    onTestFinished(() => client.close());
    const polite = client.stream.flood({ count: 0, size: 16 });
    const stubborn = client.stream.flood({ count: 0, size: 0 });
    const reading = [polite, stubborn].map(async (s) => {
      let n = 0;
      for await (const _ of s) n++;
      return n;
    });
    for (const r of reading) r.catch(() => {});
    await sleep(50);
    const closing = server.close();
    await expect(polite.result).resolves.toBeGreaterThan(0);
    const error = await stubborn.result.catch((e: { code?: string }) => e);
    expect(["ABANDONED", "CONNECTION_LOST"]).toContain((error as { code?: string }).code);
    await closing;
    await expect.poll(() => [...ends].sort()).toEqual(["aborted", "drained"]);
  });
});
