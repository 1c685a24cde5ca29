/**
 * Stream calls end to end between two peers (docs/protocol.md §12): server, client and
 * bidirectional streams, half-close, early ends, errors mid-stream, cancellation from either end,
 * validation of items, and the limits.
 */
import { ServiceError } from "@parley/codec";
import { describe, expect, it } from "vitest";
import { Kind } from "../src/wire-constants.js";
import type { HelloMessage } from "../src/wire-messages.js";
import { codeOf, Latch, rejection, until } from "./support/async.js";
import { feed } from "./support/contracts.js";
import { feedPair } from "./support/feed-pair.js";
import { peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";

/**
 * An endless async source that records what happened to it: `items`, then one item every 5 ms
 * (a producer of live data). Its `finally` runs once the engine calls its `return()`.
 */
function source(items: string[]) {
  const seen = { pulled: 0, finallyRan: false };
  async function* gen() {
    try {
      for (const item of items) {
        seen.pulled++;
        yield item;
      }
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.pulled++;
        yield "more";
      }
    } finally {
      seen.finallyRan = true;
    }
  }
  return { iterable: gen(), seen };
}

describe("server streams", () => {
  it("deliver every item in order, then the output in result, with credit in batches", async () => {
    const { client, server } = feedPair({}, {}, { streamWindowItems: 64 });
    const stream = client.stream.tail(1_000);
    const got: string[] = [];
    for await (const line of stream) got.push(line);
    expect(got).toEqual(Array.from({ length: 1_000 }, (_, i) => `line ${i}`));
    await expect(stream.result).resolves.toBe(1_000);
    // Half a 64-item window per Credit: about 1000 / 32 frames, never one per item.
    expect(client.stats.creditsSent).toBeGreaterThanOrEqual(30);
    expect(client.stats.creditsSent).toBeLessThanOrEqual(32);
    expect(server.stats.streamItemsSent).toBe(1_000);
    await until(() => server.stats.streamsOpen === 0 && client.stats.streamsOpen === 0);
  });

  it("deliver the items sent before an error, then throw the RemoteError; result rejects with it", async () => {
    const { client } = feedPair({
      async *tail(n) {
        for (let i = 0; i < n; i++) yield `line ${i}`;
        throw new ServiceError("DISK_GONE", "disk gone");
      },
    });
    const stream = client.stream.tail(3);
    const got: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const line of stream) got.push(line);
      })(),
    );
    expect(got).toEqual(["line 0", "line 1", "line 2"]);
    expect(error.code).toBe("DISK_GONE");
    expect(error.name).toBe("RemoteError");
    expect((await rejection(stream.result)).code).toBe("DISK_GONE");
  });

  it("break out of the loop: Cancel is sent, result is CANCELLED, the handler's finally runs", async () => {
    const finallyRan = new Latch();
    let aborted = false;
    const { client, server } = feedPair({
      async *tail(_n, ctx) {
        try {
          for (let i = 0; ; i++) yield `line ${i}`;
        } finally {
          aborted = ctx.signal.aborted;
          finallyRan.open();
        }
      },
    });
    const stream = client.stream.tail(0);
    let n = 0;
    for await (const _ of stream) if (++n === 10) break; // no throw into the loop
    expect((await rejection(stream.result)).code).toBe("CANCELLED");
    await finallyRan.promise;
    expect(aborted).toBe(true);
    expect(client.stats.cancelsSent).toBe(1);
    await until(() => server.stats.streamsOpen === 0 && server.stats.handlersRunning === 0);
    expect(client.stats.streamsOpen).toBe(0);
  });

  it("end a handler that awaits only its signal when the caller cancels", async () => {
    const ended = new Latch();
    const { client, server } = feedPair({
      async *tail(_n, ctx) {
        try {
          yield "first";
          await new Promise((_resolve, reject) => {
            ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
          });
          return 1;
        } finally {
          ended.open();
        }
      },
    });
    const controller = new AbortController();
    const stream = client.stream.tail(0, { signal: controller.signal });
    // An AbortSignal (unlike a break) throws CANCELLED into the loop, as a deadline would.
    const loop = (async () => {
      for await (const first of stream) {
        expect(first).toBe("first");
        controller.abort();
      }
    })();
    expect(codeOf(await rejection(loop))).toBe("CANCELLED");
    await ended.promise;
    expect(codeOf(await rejection(stream.result))).toBe("CANCELLED");
    await until(() => server.stats.handlersRunning === 0 && server.stats.streamsOpen === 0);
  });

  it("validate items on receipt: a bad item fails the call with INVALID_RESPONSE and cancels it", async () => {
    const { client, server } = feedPair({
      async *tail() {
        yield "ok";
        yield 42 as unknown as string;
        yield "never read";
        return 0;
      },
    });
    const stream = client.stream.tail(0);
    const got: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const line of stream) got.push(line);
      })(),
    );
    expect(got).toEqual(["ok"]);
    expect(error.code).toBe("INVALID_RESPONSE");
    await until(() => server.stats.cancelsReceived === 1);
  });

  it("are REJECTED before the first item (invalid input): nothing was executed", async () => {
    const { client } = feedPair();
    const stream = client.stream.tail("x" as unknown as number);
    const error = await rejection(stream.result);
    expect(error.code).toBe("INVALID_ARGUMENT");
    await expect(
      (async () => {
        for await (const _ of stream);
      })(),
    ).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });

  it("wait for the connection's output: no item is pulled while the outbox is blocked", async () => {
    // One byte of outbox: blocked as soon as a frame is queued, until its write.
    const { client, server } = feedPair({}, { maxBufferedBytes: 1 });
    const stream = client.stream.tail(200);
    let n = 0;
    for await (const _ of stream) n++;
    expect(n).toBe(200);
    await expect(stream.result).resolves.toBe(200);
    // Each item waited for the previous write: one write per item (and a few for the rest).
    expect(server.stats.writes).toBeGreaterThanOrEqual(200);
  });

  it("beyond maxConcurrentStreams are REJECTED with OVERLOADED", async () => {
    const hold = new Latch();
    const { client } = feedPair(
      {
        async *tail() {
          yield "open";
          await hold.promise;
          return 0;
        },
      },
      { maxConcurrentStreams: 2 },
    );
    const open = [client.stream.tail(0), client.stream.tail(0)];
    for (const s of open) await s[Symbol.asyncIterator]().next();
    const third = client.stream.tail(0);
    expect((await rejection(third.result)).code).toBe("OVERLOADED");
    hold.open();
    for (const s of open) await s.result;
  });
});

describe("client streams", () => {
  it("send every input under credit, end of input, and resolve with the output", async () => {
    const chunks = Array.from({ length: 500 }, (_, i) => `chunk ${i}`);
    const { client, server } = feedPair({}, { streamWindowItems: 64 });
    const total = await client.call.upload("f", { inputs: chunks });
    expect(total).toBe(chunks.join("").length);
    expect(client.stats.streamItemsSent).toBe(500);
    expect(server.stats.creditsSent).toBeGreaterThanOrEqual(14);
    expect(server.stats.creditsSent).toBeLessThanOrEqual(16);
  });

  it("early response: the handler answers before the end of input, inputs.return() runs", async () => {
    const { client } = feedPair({
      async upload(_name, ctx) {
        for await (const chunk of ctx.inputs) return chunk.length;
        return 0;
      },
    });
    const { iterable, seen } = source(["abc", "d", "e"]);
    await expect(client.call.upload("f", { inputs: iterable })).resolves.toBe(3);
    await until(() => seen.finallyRan);
    expect(client.stats.streamsOpen).toBe(0);
  });

  it("validate inputs on receipt: a bad item ends the call with INVALID_ARGUMENT", async () => {
    const { client } = feedPair();
    const inputs = ["ok", 3 as unknown as string, "later"];
    const error = await rejection(client.call.upload("f", { inputs }));
    expect(error.code).toBe("INVALID_ARGUMENT");
  });

  it("refuse a call without inputs, or a stream method through the wrong proxy (INVALID_OPTION)", async () => {
    const { client } = feedPair();
    expect(codeOf(await rejection(client.call.upload("f", {} as never)))).toBe("INVALID_OPTION");
    const untyped = client.call as unknown as Record<string, (i: unknown) => Promise<unknown>>;
    expect(codeOf(await rejection(untyped.tail!(1)))).toBe("INVALID_OPTION");
    const wrong = (
      client.stream as unknown as Record<string, (i: unknown) => { result: Promise<unknown> }>
    ).add!(1);
    expect(codeOf(await rejection(wrong.result))).toBe("INVALID_OPTION");
    expect(client.stats.requestsSent).toBe(0);
  });
});

describe("bidirectional streams", () => {
  it("carry items both ways; half-close ends ctx.inputs and the handler may go on yielding", async () => {
    const { client } = feedPair({
      async *chat(_room, ctx) {
        for await (const m of ctx.inputs) yield `echo ${m}`;
        for (let i = 0; i < 5; i++) yield `after ${i}`;
      },
    });
    const stream = client.stream.chat("eu", { inputs: ["a", "b"] });
    const got: string[] = [];
    for await (const m of stream) got.push(m);
    expect(got).toEqual([
      "echo a",
      "echo b",
      "after 0",
      "after 1",
      "after 2",
      "after 3",
      "after 4",
    ]);
    await expect(stream.result).resolves.toBeUndefined();
  });

  it("call inputs.return() when the caller cancels", async () => {
    const { client } = feedPair();
    const { iterable, seen } = source(["a"]);
    const stream = client.stream.chat("eu", { inputs: iterable });
    for await (const m of stream) {
      expect(m).toBe("echo a");
      break;
    }
    await until(() => seen.finallyRan);
    expect(codeOf(await rejection(stream.result))).toBe("CANCELLED");
  });
});

describe("the end of the connection", () => {
  it("on Bye, a stream goes on, ctx.draining fires, and an endless stream ends cleanly on it", async () => {
    const { client, server } = feedPair({
      async *tail(_n, ctx) {
        let i = 0;
        while (!ctx.draining.aborted) {
          yield `line ${i++}`;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return i;
      },
    });
    const stream = client.stream.tail(0);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const closing = server.close();
    let count = 1;
    while (!(await iterator.next()).done) count++;
    expect(await stream.result).toBeGreaterThanOrEqual(count);
    await closing;
    expect((await server.closed).reason).toBe("graceful");
  });

  it("at closeTimeoutMs a stream that ignores draining ends with ABANDONED", async () => {
    const { client, server } = feedPair(
      {
        async *tail(_n, ctx) {
          for (;;) {
            yield "tick";
            await new Promise((resolve) => setTimeout(resolve, 5));
            if (ctx.signal.aborted) return 0;
          }
        },
      },
      { closeTimeoutMs: 200 },
    );
    const stream = client.stream.tail(0);
    await stream[Symbol.asyncIterator]().next();
    void server.close();
    expect((await server.closed).error).toMatchObject({ code: "ABANDONED" });
    const error = await rejection(stream.result);
    expect(["ABANDONED", "CONNECTION_LOST"]).toContain(error.code);
  });

  it("connection loss: the loop throws CONNECTION_LOST, inputs.return() runs, nothing is replayed", async () => {
    const { client, server } = feedPair();
    const { iterable, seen } = source(["a"]);
    const stream = client.stream.chat("eu", { inputs: iterable });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe("echo a");
    server.destroy();
    // Items that arrived before the loss come first (a slow turn lets "echo more" in), then the error.
    let lost: unknown;
    for (let i = 0; lost === undefined && i < 100; i++) {
      try {
        const next = await iterator.next();
        expect(next).toMatchObject({ done: false, value: expect.stringMatching(/^echo /) });
      } catch (error) {
        lost = error;
      }
    }
    expect(codeOf(lost)).toBe("CONNECTION_LOST");
    expect(codeOf(await rejection(stream.result))).toBe("CONNECTION_LOST");
    await until(() => seen.finallyRan);
    expect(client.stats.requestsSent).toBe(1);
  });
});

describe("a remote without streams", () => {
  it("makes a stream call fail locally with UNIMPLEMENTED; nothing is written", async () => {
    for (const minor of [0, 1]) {
      const { peer, remote } = peerWithRawRemote({ calls: feed, callsOptional: true });
      const raw = new RawEnd(remote);
      raw.handshake({ minor }); // no stream windows
      await peer.ready;
      const stream = peer.stream.tail(1);
      const error = await rejection(stream.result);
      expect(error.code).toBe("UNIMPLEMENTED");
      expect(error.notExecuted).toBe(true);
      await expect(peer.call.upload("f", { inputs: ["a"] })).rejects.toMatchObject({
        code: "UNIMPLEMENTED",
      });
      expect(peer.stats.requestsSent).toBe(0);
      expect(raw.all(Kind.Request)).toEqual([]);
      const hello = (await raw.next(Kind.Hello)) as HelloMessage;
      expect(hello.streamWindow).toBeDefined();
    }
  });
});
