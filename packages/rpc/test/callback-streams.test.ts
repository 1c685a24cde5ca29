/**
 * `ctx.peer.stream`: a server handler opens a stream to a client that serves a streaming
 * callback method, over real sockets. Its items arrive typed, a break cancels the client's
 * generator (its finally runs), a bidirectional callback takes `inputs`, and the stream inherits
 * the handler's cancellation.
 */
import type { CallStream } from "@parley/codec";
import { describe, expect, expectTypeOf, it, onTestFinished } from "vitest";
import { connect, defineContract, type HandlerContext, serve, z } from "../src/index.js";
import { tempSocketPath } from "./fixtures.js";

const meter = defineContract({
  name: "meter",
  version: 1,
  requests: {
    total: { input: z.number(), output: z.number() },
    firstTwo: { input: z.null(), output: z.array(z.number()) },
    doubled: { input: z.array(z.number()), output: z.array(z.number()) },
    hold: { input: z.null(), output: z.number() },
  },
});
const counter = defineContract({
  name: "counter",
  version: 1,
  requests: {
    count: { input: z.number(), yields: z.number(), output: z.string(), timeoutMs: 5_000 },
    double: { input: z.null(), yields: z.number(), accepts: z.number(), timeoutMs: 5_000 },
    ping: { input: z.null(), output: z.string() },
  },
});

/** A server that reaches back into its client's `count` and `double` through `ctx.peer.stream`. */
async function start() {
  const endings: string[] = [];
  const server = await serve({
    url: `unix://${tempSocketPath()}`,
    contract: meter,
    calls: counter,
    handlers: {
      async total(n, ctx) {
        const counted = ctx.peer.stream.count(n);
        let sum = 0;
        for await (const i of counted) sum += i;
        expect(await counted.result).toBe(`counted ${n}`);
        return sum;
      },
      async firstTwo(_input, ctx) {
        const got: number[] = [];
        for await (const i of ctx.peer.stream.count(1_000_000)) {
          got.push(i);
          if (got.length === 2) break; // Cancel goes to the client: its generator ends
        }
        return got;
      },
      async doubled(values, ctx) {
        const out: number[] = [];
        for await (const d of ctx.peer.stream.double(null, { inputs: values })) out.push(d);
        return out;
      },
      async hold(_input, ctx) {
        // Streams until the caller of `hold` cancels it: the stream back inherits that.
        for await (const _ of ctx.peer.stream.count(1_000_000_000)) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return 0;
      },
    },
  });
  const client = await connect({
    url: server.url,
    contract: meter,
    serves: counter,
    handlers: {
      async *count(n, ctx) {
        try {
          for (let i = 1; i <= n; i++) yield i;
          return `counted ${n}`;
        } finally {
          endings.push(`count(${n}) aborted=${ctx.signal.aborted}`);
        }
      },
      async *double(_input, ctx) {
        for await (const v of ctx.inputs) yield v * 2;
      },
      ping: () => "pong",
    },
  });
  onTestFinished(async () => {
    await client.close();
    await server.close();
  });
  return { server, client, endings };
}

describe("ctx.peer.stream", () => {
  it("streams from a client's callback method; the handler sums the items and reads the result", async () => {
    const { client, endings } = await start();
    await expect(client.call.total(100)).resolves.toBe(5050);
    expect(endings).toEqual(["count(100) aborted=false"]);
  });

  it("a break in the handler cancels the client's generator: its finally runs", async () => {
    const { client, server, endings } = await start();
    await expect(client.call.firstTwo(null)).resolves.toEqual([1, 2]);
    await expect.poll(() => endings, { timeout: 5_000 }).toEqual(["count(1000000) aborted=true"]);
    expect(server.connections[0]?.peer.stats.streamsOpen).toBe(0);
    await expect.poll(() => client.peer?.stats.streamsOpen, { timeout: 5_000 }).toBe(0);
  });

  it("takes inputs for a bidirectional callback method", async () => {
    const { client } = await start();
    await expect(client.call.doubled([1, 2, 3])).resolves.toEqual([2, 4, 6]);
  });

  it("inherits the handler's cancellation: cancelling the outer call ends the stream back", async () => {
    const { client, endings } = await start();
    const controller = new AbortController();
    const held = client.call.hold(null, { signal: controller.signal });
    await expect.poll(() => client.peer?.stats.streamsOpen, { timeout: 5_000 }).toBe(1); // count, served by the client
    controller.abort();
    await expect(held).rejects.toMatchObject({ code: "CANCELLED" });
    await expect
      .poll(() => endings, { timeout: 5_000 })
      .toEqual(["count(1000000000) aborted=true"]);
  });
});

describe("ctx.peer.stream types", () => {
  it("are those of client.stream for the callback contract; a unary or unknown name is a type error", () => {
    type Peer = HandlerContext<typeof counter>["peer"];
    expectTypeOf<Peer["stream"]["count"]>().parameter(0).toEqualTypeOf<number>();
    expectTypeOf<Peer["stream"]["count"]>().returns.toEqualTypeOf<CallStream<number, string>>();
    expectTypeOf<Peer["stream"]["double"]>()
      .parameter(1)
      .toHaveProperty("inputs")
      .toEqualTypeOf<AsyncIterable<number> | Iterable<number>>();
    const check = (peer: Peer) => {
      // @ts-expect-error: ping yields nothing; it is called through ctx.peer.call
      void peer.stream.ping;
      // @ts-expect-error: not a method of the callback contract
      void peer.stream.counts;
      // @ts-expect-error: wrong input type
      void peer.stream.count("3");
      // @ts-expect-error: a bidirectional method needs its inputs
      void peer.stream.double(null);
    };
    expect(typeof check).toBe("function");
  });
});
