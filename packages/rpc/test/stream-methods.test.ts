/**
 * Stream methods through serve() and connect() over real sockets: a server stream with its final
 * output, a client stream, a bidirectional one, cancellation that reaches the handler, a remote
 * error mid-stream with uncoded errors hidden, and the stats of open streams.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, defineContract, ServiceError, serve, z } from "../src/index.js";
import { tempSocketPath } from "./fixtures.js";

const feed = defineContract({
  name: "feed",
  version: 1,
  requests: {
    add: { input: z.number(), output: z.number() },
    tail: { input: z.number(), yields: z.string(), output: z.number(), timeoutMs: 5_000 },
    upload: {
      input: z.string(),
      accepts: z.string(),
      output: z.number(),
      timeoutMs: Number.POSITIVE_INFINITY,
    },
    chat: { input: z.string(), yields: z.string(), accepts: z.string(), timeoutMs: 5_000 },
  },
});

describe.each([
  ["tcp", () => "tcp://127.0.0.1:0"],
  ["unix", () => `unix://${tempSocketPath()}`],
])("stream methods over %s", (_name, makeUrl) => {
  async function start() {
    const ended: string[] = [];
    const reported: unknown[] = [];
    const server = await serve({
      url: makeUrl(),
      contract: feed,
      // The uncoded error is reported here, whole, and hidden from the caller.
      onError: (error) => reported.push(error),
      maxConcurrentStreams: 50, // the stream options pass through serve() and connect()
      streamWindowItems: 16,
      handlers: {
        add: (n) => n + 1,
        async *tail(n, ctx) {
          try {
            for (let i = 0; i < n; i++) yield `line ${i}`;
            if (n === 3) throw new Error("secret internals");
            if (n === 4) throw new ServiceError("NO_MORE", "no more lines");
            return n;
          } finally {
            ended.push(`tail aborted=${ctx.signal.aborted}`);
          }
        },
        async upload(name, ctx) {
          if (name === "hold") {
            // Reads nothing until cancelled: the caller can send only the window.
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
            return 0;
          }
          let total = name.length;
          for await (const chunk of ctx.inputs) total += chunk.length;
          return total;
        },
        async *chat(room, ctx) {
          for await (const m of ctx.inputs) yield `${room}: ${m}`;
        },
      },
    });
    const client = await connect({ url: server.url, contract: feed, streamWindowBytes: 65_536 });
    onTestFinished(async () => {
      await client.close();
      await server.close();
    });
    return { server, client, ended, reported };
  }

  it("carry server, client and bidirectional streams", async () => {
    const { client } = await start();
    const lines: string[] = [];
    const tail = client.stream.tail(100);
    for await (const line of tail) lines.push(line);
    expect(lines).toHaveLength(100);
    await expect(tail.result).resolves.toBe(100);
    await expect(client.call.upload("ab", { inputs: ["cd", "e"] })).resolves.toBe(5);
    const chat = client.stream.chat("eu", { inputs: ["hi", "bye"] });
    const said: string[] = [];
    for await (const m of chat) said.push(m);
    expect(said).toEqual(["eu: hi", "eu: bye"]);
    await expect(client.call.add(1)).resolves.toBe(2);
  });

  it("the stream options reach the engine: a handler that reads nothing gets one window of items", async () => {
    const { client } = await start(); // the server advertises streamWindowItems 16
    let pulled = 0;
    async function* inputs() {
      for (;;) {
        pulled++;
        yield "x";
      }
    }
    const controller = new AbortController();
    const upload = client.call.upload("hold", { inputs: inputs(), signal: controller.signal });
    await expect.poll(() => pulled).toBeGreaterThanOrEqual(16);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pulled).toBeLessThanOrEqual(17);
    controller.abort();
    await expect(upload).rejects.toMatchObject({ code: "CANCELLED" });
  });

  it("a break cancels the handler; both sides' stats show no open stream", async () => {
    const { client, server, ended } = await start();
    const tail = client.stream.tail(100_000);
    let n = 0;
    for await (const _ of tail) if (++n === 10) break;
    await expect(tail.result).rejects.toMatchObject({ code: "CANCELLED" });
    await expect.poll(() => ended).toEqual(["tail aborted=true"]);
    expect(client.peer?.stats.streamsOpen).toBe(0);
    await expect.poll(() => server.connections[0]?.peer.stats.streamsOpen).toBe(0);
  });

  it("an error mid-stream arrives after the items; an uncoded one is hidden as INTERNAL", async () => {
    const { client, reported } = await start();
    for (const [n, code] of [
      [3, "INTERNAL"],
      [4, "NO_MORE"],
    ] as const) {
      const got: string[] = [];
      const tail = client.stream.tail(n);
      const loop = (async () => {
        for await (const line of tail) got.push(line);
      })();
      await expect(loop).rejects.toMatchObject({ code });
      expect(got).toHaveLength(n);
      const error = await tail.result.catch((e: Error) => e);
      expect(String((error as Error).message)).not.toContain("secret internals");
      if (code === "INTERNAL") expect(String(reported.at(-1))).toContain("secret internals");
    }
  });

  it("a closed client refuses stream calls with CLIENT_CLOSED, nothing sent", async () => {
    const { client } = await start();
    await client.close();
    await expect(client.stream.tail(1).result).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
    await expect(client.call.upload("a", { inputs: [] })).rejects.toMatchObject({
      code: "CLIENT_CLOSED",
    });
  });
});
