/**
 * Calls refused by the engine's own checks, made while the client reconnects, over real Unix
 * sockets: a bad call option fails at once with the same INVALID_OPTION it gets when connected
 * (never a wait, never DEADLINE_EXCEEDED), and a stream call refused after it waited for the
 * connection, before anything was written, still closes its inputs, once.
 */
import { Readable } from "node:stream";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { connect, defineContract, serve, z } from "../src/index.js";
import { collect, countedInputs, tempSocketPath } from "./fixtures.js";

const contract = defineContract({
  name: "waiting-refusals",
  version: 1,
  requests: {
    echo: { input: z.number(), output: z.number() },
    tail: { input: z.number(), yields: z.number(), output: z.null(), timeoutMs: 10_000 },
    upload: { input: z.null(), accepts: z.number(), output: z.number(), timeoutMs: 10_000 },
    chat: { input: z.null(), yields: z.number(), accepts: z.number(), timeoutMs: 10_000 },
  },
});

async function startServer(url: string, started: string[] = []) {
  const server = await serve({
    url,
    contract,
    handlers: {
      echo: (n) => n,
      async *tail(n) {
        started.push("tail");
        for (let i = 1; i <= n; i++) yield i;
        return null;
      },
      async upload(_input, ctx) {
        started.push("upload");
        let sum = 0;
        for await (const v of ctx.inputs) sum += v;
        return sum;
      },
      async *chat(_input, ctx) {
        started.push("chat");
        for await (const v of ctx.inputs) yield v;
      },
    },
  });
  onTestFinished(() => server.close());
  return server;
}

/** A reconnecting client whose server is down, and the url to bring one up on. */
async function disconnected(extra: { maxPendingCalls?: number } = {}) {
  const url = `unix://${tempSocketPath()}`;
  const server = await startServer(url);
  const client = await connect({
    url,
    contract,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50, jitter: 0 },
    ...extra,
  });
  onTestFinished(() => client.close());
  const dropped = new Promise((resolve) => client.once("disconnect", resolve));
  await server.close();
  await dropped;
  expect(client.state).toBe("reconnecting");
  return { url, client };
}

const PENDING = Symbol("still pending");

/** What `promise` settled with within `ms` (PENDING if it had not); never throws. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(PENDING), ms);
  });
  try {
    return await Promise.race([promise.catch((error: unknown) => error), late]);
  } finally {
    clearTimeout(timer);
  }
}

const BAD_TIMEOUTS = [Number.NaN, Number.NEGATIVE_INFINITY, -5, 0, Number.POSITIVE_INFINITY];

describe("a bad call option while the client reconnects", () => {
  it("refuses a stream method through the wrong entry point, or bad inputs, at once", async () => {
    const { client } = await disconnected();
    // request() of a method that yields, as when connected (the engine says: use stream.tail()).
    const wrong = client.request("tail", 1, { timeoutMs: 5_000 });
    expect(await settledWithin(wrong, 2_000)).toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("stream.tail()"),
    });
    const notIterable = client.call.upload(null, { inputs: 42 as never, timeoutMs: 5_000 });
    expect(await settledWithin(notIterable, 2_000)).toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("options.inputs must be an iterable"),
    });
  });

  it.each(BAD_TIMEOUTS)("timeoutMs %s fails a call at once with INVALID_OPTION", async (bad) => {
    const { client } = await disconnected();
    const error = await settledWithin(client.call.echo(1, { timeoutMs: bad }), 2_000);
    expect(error).toMatchObject({ code: "INVALID_OPTION" });
  });

  it.each(BAD_TIMEOUTS)("timeoutMs %s fails a stream at once with INVALID_OPTION", async (bad) => {
    const { client } = await disconnected();
    const tail = client.stream.tail(1, { timeoutMs: bad });
    expect(await settledWithin(collect(tail), 2_000)).toMatchObject({ code: "INVALID_OPTION" });
    await expect(tail.result).rejects.toMatchObject({ code: "INVALID_OPTION" });
    const { inputs, counts } = countedInputs([1]);
    const upload = client.call.upload(null, { inputs, timeoutMs: bad });
    expect(await settledWithin(upload, 2_000)).toMatchObject({ code: "INVALID_OPTION" });
    // Refused before it waited, as when connected: the inputs stay unread, for a retry.
    expect(counts).toEqual({ pulled: 0, returned: 0 });
  });

  it("is the same error connected or not", async () => {
    const { url, client } = await disconnected();
    const options = { timeoutMs: -5 };
    const whileDown = await settledWithin(client.call.echo(1, options), 2_000);
    const streamDown = await settledWithin(collect(client.stream.tail(1, options)), 2_000);
    await startServer(url);
    await vi.waitFor(() => expect(client.state).toBe("ready"), { timeout: 5_000 });
    const whileUp = await settledWithin(client.call.echo(1, options), 2_000);
    const streamUp = await settledWithin(collect(client.stream.tail(1, options)), 2_000);
    expect(whileUp).toMatchObject({ code: "INVALID_OPTION" });
    expect(whileDown).toMatchObject({
      code: "INVALID_OPTION",
      message: (whileUp as Error).message,
    });
    expect(streamUp).toMatchObject({ code: "INVALID_OPTION" });
    expect(streamDown).toMatchObject({
      code: "INVALID_OPTION",
      message: (streamUp as Error).message,
    });
  });
});

describe("client.stream of a name that yields nothing, while the client reconnects", () => {
  it("fails at once with the INVALID_OPTION it gets when connected", async () => {
    const { url, client } = await disconnected();
    // Untyped access, as from JavaScript: `upload` yields none, `echo` and `nope` are no streams.
    const untyped = client.stream as unknown as Record<
      string,
      (input: unknown) => AsyncIterable<number>
    >;
    const names = ["upload", "echo", "nope"];
    const down = [];
    for (const name of names) down.push(await settledWithin(collect(untyped[name]!(null)), 2_000));
    await startServer(url);
    await vi.waitFor(() => expect(client.state).toBe("ready"), { timeout: 5_000 });
    for (const [i, name] of names.entries()) {
      const up = await settledWithin(collect(untyped[name]!(null)), 2_000);
      expect(up).toMatchObject({ code: "INVALID_OPTION" });
      expect(down[i]).toMatchObject({ code: "INVALID_OPTION", message: (up as Error).message });
    }
  });

  it("is refused the same way when it has a parent call", async () => {
    const { client } = await disconnected();
    const untyped = client.stream as unknown as Record<
      string,
      (input: unknown, options: unknown) => AsyncIterable<number>
    >;
    const parent = { signal: new AbortController().signal, remainingMs: () => 5_000 };
    for (const name of ["upload", "echo", "nope"]) {
      const outcome = await settledWithin(collect(untyped[name]!(null, { parent })), 2_000);
      expect(outcome).toMatchObject({ code: "INVALID_OPTION" });
    }
  });
});

describe("a stream call refused after it waited, before anything was written", () => {
  /** Refused by the engine when it encodes the Request (after the wait), not by the option check. */
  const badMetadata = { "": "1" };

  it("client stream: the call rejects with INVALID_OPTION and its inputs are closed once", async () => {
    const { url, client } = await disconnected();
    const { inputs, counts } = countedInputs([1, 2]);
    const upload = client.call.upload(null, { inputs, metadata: badMetadata });
    const started: string[] = [];
    await startServer(url, started);
    await expect(upload).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await vi.waitFor(() => expect(counts.returned).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counts).toEqual({ pulled: 0, returned: 1 });
    expect(started).toEqual([]);
  });

  it("bidi stream: the loop and result reject with INVALID_OPTION and its inputs are closed once", async () => {
    const { url, client } = await disconnected();
    const { inputs, counts } = countedInputs([1, 2]);
    const chat = client.stream.chat(null, { inputs, metadata: badMetadata });
    const loop = collect(chat);
    const started: string[] = [];
    await startServer(url, started);
    await expect(loop).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await expect(chat.result).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await vi.waitFor(() => expect(counts.returned).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counts).toEqual({ pulled: 0, returned: 1 });
    expect(started).toEqual([]);
  });

  it("a call that went out after the wait and read its inputs has them closed by the engine only", async () => {
    const { url, client } = await disconnected();
    const streamed = countedInputs([1, 2]);
    const chat = collect(client.stream.chat(null, { inputs: streamed.inputs }));
    const called = countedInputs([3, 4]);
    const upload = client.call.upload(null, { inputs: called.inputs });
    await startServer(url);
    await expect(chat).resolves.toEqual([1, 2]);
    await expect(upload).resolves.toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(streamed.counts.pulled).toBe(2);
    expect(called.counts.pulled).toBe(2);
    expect(streamed.counts.returned).toBeLessThanOrEqual(1);
    expect(called.counts.returned).toBeLessThanOrEqual(1);
  });

  it("a Node.js Readable given to a call that waited, then ended queued in the engine, is destroyed", async () => {
    const { url, client } = await disconnected({ maxPendingCalls: 1 });
    // The first call takes the connection's only slot: its inputs never end.
    const never = (async function* () {
      await new Promise(() => {});
      yield 0;
    })();
    client.call.upload(null, { inputs: never }).catch(() => {});
    const readable = Readable.from([1, 2], { objectMode: true });
    const controller = new AbortController();
    const queued = client.call.upload(null, { inputs: readable, signal: controller.signal });
    const started: string[] = [];
    await startServer(url, started);
    await vi.waitFor(() => expect(started).toEqual(["upload"]));
    controller.abort(); // the second call is queued behind the first, in the engine
    await expect(queued).rejects.toMatchObject({ code: "CANCELLED" });
    expect(readable.destroyed).toBe(true);
  });
});
