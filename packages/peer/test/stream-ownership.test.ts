/**
 * What a stream call owns and lets go of when it ends: the caller's inputs (made into an iterator
 * as the call starts, closed when it ends first, even unsent), a producer whose item cannot be
 * sent, and the items buffered for the caller (each read once, and out of the connection's gauge
 * once the call is over).
 */
import { Readable } from "node:stream";
import { defineContract } from "@parley/codec";
import { describe, expect, it } from "vitest";
import { rejection, until } from "./support/async.js";
import { feed } from "./support/contracts.js";
import { feedPair } from "./support/feed-pair.js";
import { peerPair } from "./support/peer-pair.js";

/** A web ReadableStream that someone else is reading: asking for its iterator throws. */
function lockedStream(): ReadableStream<string> {
  const stream = new ReadableStream<string>({
    start(controller) {
      controller.enqueue("x");
      controller.close();
    },
  });
  stream.getReader();
  return stream;
}

describe("stream call ownership", () => {
  it("fails a call whose inputs cannot be read before writing anything, connected or queued", async () => {
    let started = 0;
    const { client, server } = feedPair(
      {
        add: (n) => new Promise<number>((resolve) => setTimeout(() => resolve(n), 30)),
        async upload(_name, ctx) {
          started++;
          for await (const _ of ctx.inputs);
          return 0;
        },
      },
      {},
      { maxPendingCalls: 1 },
    );
    await client.ready;
    const now = await rejection(client.call.upload("f", { inputs: lockedStream() }));
    expect(now.message).toMatch(/locked/);
    // Queued behind the pending limit: written from the queue as a Response frees the slot.
    const held = client.call.add(1);
    const queued = rejection(client.call.upload("f", { inputs: lockedStream() }));
    const after = client.call.add(2);
    expect((await queued).message).toMatch(/locked/);
    expect([await held, await after]).toEqual([1, 2]);
    expect(client.state).toBe("open");
    expect(started).toBe(0);
    expect(server.stats.requestsReceived).toBe(2);
    expect(client.stats.streamsOpen).toBe(0);
  });

  it("closes the inputs of a call that ends while still queued, a Node.js Readable too", async () => {
    const { client } = feedPair(
      { add: () => new Promise<number>(() => {}) },
      {},
      { maxPendingCalls: 1 },
    );
    await client.ready;
    void client.call.add(1).catch(() => {});
    const readable = Readable.from(["a", "b"], { objectMode: true });
    let generatorClosed = false;
    async function* lines() {
      try {
        yield "a";
      } finally {
        generatorClosed = true;
      }
    }
    const controller = new AbortController();
    const signal = controller.signal;
    const fromReadable = rejection(client.call.upload("f", { inputs: readable, signal }));
    const generator = lines();
    const fromGenerator = rejection(client.call.upload("f", { inputs: generator, signal }));
    controller.abort();
    expect((await fromReadable).code).toBe("CANCELLED");
    expect((await fromGenerator).code).toBe("CANCELLED");
    expect(readable.destroyed).toBe(true);
    // Never started, so it has no finally to run; but it is finished and yields nothing more.
    expect(generatorClosed).toBe(false);
    expect(await generator.next()).toEqual({ done: true, value: undefined });
    expect(client.stats.requestsSent).toBe(1);
  });

  it("lets a producer go when one of its items cannot be sent, so its finally runs", async () => {
    const finallyRan = { handler: false, inputs: false };
    // Checked as they are sent, so the bad item never leaves its side.
    const strict = defineContract({ ...feed.definition, validateOutbound: true });
    const { client } = peerPair(
      {
        serves: strict,
        handlers: {
          add: (n) => n,
          async upload(_name, ctx) {
            for await (const _ of ctx.inputs);
            return 0;
          },
          async *chat() {},
          async *tail() {
            try {
              yield "ok";
              yield 42 as unknown as string; // fails the contract's `yields`
              yield "never";
              return 1;
            } finally {
              finallyRan.handler = true;
            }
          },
        },
      },
      { calls: strict },
    );
    await client.ready;
    const items: unknown[] = [];
    const stream = client.stream.tail(3);
    const failed = rejection(
      (async () => {
        for await (const item of stream) items.push(item);
      })(),
    );
    expect((await failed).code).toBe("INVALID_RESPONSE");
    expect(items).toEqual(["ok"]);
    async function* inputs() {
      try {
        yield "a";
        yield 7 as unknown as string; // fails the contract's `accepts`
        yield "never";
      } finally {
        finallyRan.inputs = true;
      }
    }
    expect((await rejection(client.call.upload("f", { inputs: inputs() }))).code).toBe(
      "INVALID_ARGUMENT",
    );
    await until(() => finallyRan.handler && finallyRan.inputs);
  });

  it("gives each of two next() calls made at once its own item", async () => {
    const { client } = feedPair({
      async *tail(n) {
        for (let i = 0; i < n; i++) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield `line ${i}`;
        }
        return n;
      },
    });
    await client.ready;
    const stream = client.stream.tail(4);
    const iterator = stream[Symbol.asyncIterator]();
    const pair = await Promise.all([iterator.next(), iterator.next()]);
    expect(pair.map((r) => r.value)).toEqual(["line 0", "line 1"]);
    const rest = await Promise.all([iterator.next(), iterator.next(), iterator.next()]);
    expect(rest).toEqual([
      { done: false, value: "line 2" },
      { done: false, value: "line 3" },
      { done: true, value: undefined },
    ]);
    expect(await stream.result).toBe(4);
  });

  it("takes a finished call's unread items out of the buffered-bytes gauge", async () => {
    const { client } = feedPair({});
    await client.ready;
    const stream = client.stream.tail(10);
    expect(await stream.result).toBe(10);
    expect(client.stats.streamsOpen).toBe(0);
    expect(client.stats.streamBytesBuffered).toBe(0);
    // The items are still the caller's to read.
    const items: string[] = [];
    for await (const item of stream) items.push(item);
    expect(items).toHaveLength(10);
    expect(client.stats.streamBytesBuffered).toBe(0);
  });
});
