/**
 * Stream calls before anything is sent behave as unary calls do, over real Unix sockets: made
 * while the client reconnects they wait for the restarted server (or fail at once with
 * NOT_CONNECTED when waitForConnection is false), a cancel or the deadline ends the wait (the
 * inputs' return() runs, nothing reaches the server), and a `parent` bounds them.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { type Client, connect, defineContract, serve, z } from "../src/index.js";
import { collect, countedInputs, tempSocketPath } from "./fixtures.js";

const feed = defineContract({
  name: "feed-reconnect",
  version: 1,
  requests: {
    tail: { input: z.number(), yields: z.number(), output: z.string(), timeoutMs: 10_000 },
    upload: { input: z.null(), accepts: z.number(), output: z.number(), timeoutMs: 10_000 },
    chat: { input: z.null(), yields: z.number(), accepts: z.number(), timeoutMs: 10_000 },
    quick: { input: z.null(), yields: z.number(), output: z.null(), timeoutMs: 150 },
    /** No deadline: its wait for a connection has no timer. */
    sink: {
      input: z.null(),
      accepts: z.number(),
      output: z.number(),
      timeoutMs: Number.POSITIVE_INFINITY,
    },
  },
});

const fastReconnect = { initialDelayMs: 10, maxDelayMs: 50, jitter: 0 };

/** What the server saw: handler starts, and how each `tail` ended. */
type Seen = { started: string[]; ended: string[] };

async function startServer(url: string, seen: Seen = { started: [], ended: [] }) {
  const server = await serve({
    url,
    contract: feed,
    handlers: {
      async *tail(n, ctx) {
        seen.started.push(`tail(${n})`);
        try {
          for (let i = 1; i <= n; i++) yield i;
          return `tailed ${n}`;
        } finally {
          seen.ended.push(`tail(${n}) aborted=${ctx.signal.aborted}`);
        }
      },
      async upload(_input, ctx) {
        seen.started.push("upload");
        let sum = 0;
        for await (const v of ctx.inputs) sum += v;
        return sum;
      },
      async *chat(_input, ctx) {
        seen.started.push("chat");
        for await (const v of ctx.inputs) yield v + 1;
      },
      async sink(_input, ctx) {
        seen.started.push("sink");
        let count = 0;
        for await (const _ of ctx.inputs) count++;
        return count;
      },
      async *quick() {
        seen.started.push("quick");
        yield 1;
        return null;
      },
    },
  });
  onTestFinished(() => server.close());
  return server;
}

/** A server and a reconnecting client, and the server closed: the client is reconnecting. */
async function disconnected(options: { waitForConnection?: boolean } = {}) {
  const url = `unix://${tempSocketPath()}`;
  const seen: Seen = { started: [], ended: [] };
  const server = await startServer(url, seen);
  const client = await connect({ url, contract: feed, reconnect: fastReconnect, ...options });
  onTestFinished(() => client.close());
  const dropped = new Promise((resolve) => client.once("disconnect", resolve));
  await server.close();
  await dropped;
  expect(client.state).toBe("reconnecting");
  return { url, client, seen };
}

describe("stream calls while the client reconnects", () => {
  it("wait for the restarted server, then go out on the new connection", async () => {
    const { url, client, seen } = await disconnected();
    const tail = client.stream.tail(3); // the iterable exists at once; the wait is inside it
    const items = collect(tail);
    const upload = client.call.upload(null, { inputs: [1, 2, 3] });
    const chat = collect(client.stream.chat(null, { inputs: [10, 20] }));
    const sink = client.call.sink(null, { inputs: [7, 8] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.started).toEqual([]);
    await startServer(url, seen);
    await expect(items).resolves.toEqual([1, 2, 3]);
    await expect(tail.result).resolves.toBe("tailed 3");
    await expect(upload).resolves.toBe(6);
    await expect(chat).resolves.toEqual([11, 21]);
    await expect(sink).resolves.toBe(2);
    expect(client.state).toBe("ready");
  });

  it("fail at once with NOT_CONNECTED when waitForConnection is false; the inputs are not read", async () => {
    const { client } = await disconnected({ waitForConnection: false });
    const tail = client.stream.tail(3);
    await expect(collect(tail)).rejects.toMatchObject({ code: "NOT_CONNECTED", notExecuted: true });
    await expect(tail.result).rejects.toMatchObject({ code: "NOT_CONNECTED", retryable: true });
    const { inputs, counts } = countedInputs([1, 2]);
    await expect(client.call.upload(null, { inputs })).rejects.toMatchObject({
      code: "NOT_CONNECTED",
    });
    expect(counts).toEqual({ pulled: 0, returned: 0 });
  });

  it("a return() while waiting settles result with CANCELLED once, closes the inputs, sends nothing", async () => {
    const { url, client, seen } = await disconnected();
    const { inputs, counts } = countedInputs([1, 2]);
    const controller = new AbortController();
    const chat = client.stream.chat(null, { inputs, signal: controller.signal });
    const items = chat[Symbol.asyncIterator]();
    await expect(items.return?.()).resolves.toEqual({ done: true, value: undefined });
    await expect(chat.result).rejects.toMatchObject({ code: "CANCELLED", notExecuted: true });
    // Later ends change nothing: the inputs were closed once.
    controller.abort();
    await expect(items.next()).resolves.toEqual({ done: true, value: undefined });
    await expect(items.return?.()).resolves.toEqual({ done: true, value: undefined });
    expect(counts).toEqual({ pulled: 0, returned: 1 });
    await startServer(url, seen);
    await expect(client.call.upload(null, { inputs: [5] })).resolves.toBe(5);
    expect(seen.started).toEqual(["upload"]);
  });

  it("a signal aborted while waiting rejects the loop and result with CANCELLED and closes the inputs", async () => {
    const { client } = await disconnected();
    const controller = new AbortController();
    const streamed = countedInputs([1]);
    const chat = client.stream.chat(null, { inputs: streamed.inputs, signal: controller.signal });
    const loop = collect(chat);
    const called = countedInputs([1]);
    const upload = client.call.upload(null, { inputs: called.inputs, signal: controller.signal });
    controller.abort();
    await expect(loop).rejects.toMatchObject({ code: "CANCELLED", notExecuted: true });
    await expect(chat.result).rejects.toMatchObject({ code: "CANCELLED" });
    await expect(upload).rejects.toMatchObject({ code: "CANCELLED", notExecuted: true });
    expect(streamed.counts).toEqual({ pulled: 0, returned: 1 });
    expect(called.counts).toEqual({ pulled: 0, returned: 1 });
  });

  it("a generator given as inputs ends when the call is cancelled while waiting", async () => {
    const { client } = await disconnected();
    const produced: number[] = [];
    async function* produce() {
      for (let i = 0; ; i++) {
        produced.push(i);
        yield i;
      }
    }
    const inputs = produce();
    const chat = client.stream.chat(null, { inputs });
    await chat[Symbol.asyncIterator]().return?.();
    await expect(chat.result).rejects.toMatchObject({ code: "CANCELLED" });
    await expect(inputs.next()).resolves.toEqual({ done: true, value: undefined });
    expect(produced).toEqual([]);
  });

  it("give DEADLINE_EXCEEDED, not executed, when the deadline passes while waiting (as a unary call)", async () => {
    const { client } = await disconnected();
    const unary = client.call.upload(null, { inputs: [], timeoutMs: 100 }).catch((e) => e);
    const byOption = client.stream.tail(1, { timeoutMs: 100 });
    const byContract = client.stream.quick(null); // the contract's timeoutMs: 150
    const { inputs, counts } = countedInputs([1]);
    const chat = client.stream.chat(null, { inputs, timeoutMs: 100 });
    for (const stream of [byOption, byContract, chat]) {
      await expect(collect(stream)).rejects.toMatchObject({
        code: "DEADLINE_EXCEEDED",
        notExecuted: true,
      });
      await expect(stream.result).rejects.toMatchObject({ code: "DEADLINE_EXCEEDED" });
    }
    expect(await unary).toMatchObject({ code: "DEADLINE_EXCEEDED", notExecuted: true });
    expect(counts).toEqual({ pulled: 0, returned: 1 });
  });

  it("end with CLIENT_CLOSED when the client is closed while they wait", async () => {
    const { client } = await disconnected();
    const { inputs, counts } = countedInputs([1]);
    const chat = client.stream.chat(null, { inputs });
    // Caught at once: the loop ends while close() is still under way, and a rejection left
    // unhandled across that wait is reported as one.
    const loop = collect(chat).then(
      () => undefined,
      (error: unknown) => error,
    );
    await client.close();
    expect(await loop).toMatchObject({ code: "CLIENT_CLOSED" });
    await expect(chat.result).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
    expect(counts.returned).toBe(1);
  });
});

const gateway = defineContract({
  name: "gateway",
  version: 1,
  requests: { relay: { input: z.number(), output: z.number() } },
});

describe("stream calls made with a parent handler context", () => {
  async function startChain(seen: Seen) {
    const backend = await startServer(`unix://${tempSocketPath()}`, seen);
    const toBackend: Client<typeof feed> = await connect({ url: backend.url, contract: feed });
    onTestFinished(() => toBackend.close());
    const front = await serve({
      url: `unix://${tempSocketPath()}`,
      contract: gateway,
      handlers: {
        async relay(n, ctx) {
          let sum = 0;
          for await (const i of toBackend.stream.tail(n, { parent: ctx })) {
            sum += i;
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
          return sum;
        },
      },
    });
    onTestFinished(() => front.close());
    const client = await connect({ url: front.url, contract: gateway });
    onTestFinished(() => client.close());
    return { client, toBackend };
  }

  it("are cancelled when the call at the top is: the backend's generator ends", async () => {
    const seen: Seen = { started: [], ended: [] };
    const { client } = await startChain(seen);
    await expect(client.call.relay(4)).resolves.toBe(10);
    const controller = new AbortController();
    const relay = client.call.relay(1_000_000_000, { signal: controller.signal });
    await expect.poll(() => seen.started, { timeout: 5_000 }).toHaveLength(2);
    controller.abort();
    await expect(relay).rejects.toMatchObject({ code: "CANCELLED" });
    await expect
      .poll(() => seen.ended, { timeout: 5_000 })
      .toEqual(["tail(4) aborted=false", "tail(1000000000) aborted=true"]);
  });

  it("stop at the parent's deadline, which bounds the stream's own", async () => {
    const seen: Seen = { started: [], ended: [] };
    const { client } = await startChain(seen);
    await expect(client.call.relay(1_000_000_000, { timeoutMs: 300 })).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
    });
    await expect
      .poll(() => seen.ended, { timeout: 5_000 })
      .toEqual(["tail(1000000000) aborted=true"]);
  });

  it("are refused unsent when the parent is already over, and a parent bounds a wait for a connection", async () => {
    const seen: Seen = { started: [], ended: [] };
    const { toBackend } = await startChain(seen);
    const over = { signal: new AbortController().signal, remainingMs: () => 0 };
    const tail = toBackend.stream.tail(1, { parent: over });
    await expect(tail.result).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
      notExecuted: true,
    });
    await expect(toBackend.call.upload(null, { inputs: [1], parent: over })).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
      notExecuted: true,
    });
    expect(seen.started).toEqual([]);

    const { client } = await disconnected();
    const parent = { signal: new AbortController().signal, remainingMs: () => 100 };
    await expect(collect(client.stream.tail(1, { parent }))).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
      notExecuted: true,
    });
    const cancelled = new AbortController();
    const waiting = client.stream.tail(1, {
      parent: { signal: cancelled.signal, remainingMs: () => 5_000 },
    });
    cancelled.abort();
    await expect(waiting.result).rejects.toMatchObject({ code: "CANCELLED", notExecuted: true });
  });
});
