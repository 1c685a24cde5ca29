import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  type AnyContract,
  type CallName,
  type CallStream,
  type ContractCaller,
  type ContractHandlers,
  type ContractStreamCaller,
  defineContract,
  type HandlerInputItem,
  type HandlerItem,
  type HandlerOutput,
  type HasAccepts,
  type HasYields,
  type ParseResult,
  type RequestInputItem,
  type RequestItem,
  type RequestOutput,
  type StreamInputs,
  type StreamName,
} from "../src/index.js";

const feed = defineContract({
  name: "feed",
  version: 1,
  requests: {
    add: { input: z.object({ a: z.number(), b: z.number() }), output: z.number() },
    tail: {
      input: z.object({ file: z.string() }),
      yields: z.object({ line: z.string(), at: z.string().transform((s) => new Date(s)) }),
      output: z.object({ lines: z.number() }),
      timeoutMs: Number.POSITIVE_INFINITY,
    },
    upload: {
      input: z.object({ name: z.string() }),
      accepts: z.object({ chunk: z.string(), n: z.number().default(0) }),
      output: z.object({ bytes: z.number() }),
      timeoutMs: 60_000,
    },
    chat: {
      input: z.object({ room: z.string() }),
      yields: z.string(),
      accepts: z.string(),
      timeoutMs: Number.POSITIVE_INFINITY,
    },
  },
});
type Feed = typeof feed;
interface Ctx {
  peer: string;
}
interface Opts {
  timeoutMs?: number;
  signal?: AbortSignal;
}

describe("stream method types", () => {
  it("tells stream methods apart by what they declare", () => {
    expectTypeOf<HasYields<Feed, "tail">>().toEqualTypeOf<true>();
    expectTypeOf<HasAccepts<Feed, "tail">>().toEqualTypeOf<false>();
    expectTypeOf<HasYields<Feed, "upload">>().toEqualTypeOf<false>();
    expectTypeOf<HasAccepts<Feed, "upload">>().toEqualTypeOf<true>();
    expectTypeOf<HasYields<Feed, "add">>().toEqualTypeOf<false>();
    expectTypeOf<StreamName<Feed>>().toEqualTypeOf<"tail" | "chat">();
    expectTypeOf<CallName<Feed>>().toEqualTypeOf<"add" | "upload">();
  });

  it("types items with z.input where they are sent and z.output where they arrive", () => {
    expectTypeOf<RequestItem<Feed, "tail">>().toEqualTypeOf<{ line: string; at: Date }>();
    expectTypeOf<HandlerItem<Feed, "tail">>().toEqualTypeOf<{ line: string; at: string }>();
    expectTypeOf<RequestInputItem<Feed, "upload">>().toEqualTypeOf<{
      chunk: string;
      n?: number | undefined;
    }>();
    expectTypeOf<HandlerInputItem<Feed, "upload">>().toEqualTypeOf<{ chunk: string; n: number }>();
  });

  it("types a stream method without output as ending with nothing", () => {
    expectTypeOf<RequestOutput<Feed, "chat">>().toEqualTypeOf<undefined>();
    expectTypeOf<HandlerOutput<Feed, "chat">>().toEqualTypeOf<void>();
    expectTypeOf<RequestOutput<Feed, "tail">>().toEqualTypeOf<{ lines: number }>();
  });

  it("types handlers: generators for methods that yield, ctx.inputs for methods that accept", () => {
    const handlers: ContractHandlers<Feed, Ctx> = {
      add: ({ a, b }) => a + b,
      async *tail({ file }, ctx) {
        expectTypeOf(ctx).toEqualTypeOf<Ctx>();
        yield { line: file, at: "2026-01-01" };
        return { lines: 1 };
      },
      upload: async (_input, ctx) => {
        let bytes = 0;
        for await (const item of ctx.inputs) {
          expectTypeOf(item).toEqualTypeOf<{ chunk: string; n: number }>();
          bytes += item.chunk.length;
        }
        expectTypeOf(ctx.peer).toEqualTypeOf<string>();
        return { bytes };
      },
      async *chat(_input, ctx) {
        for await (const text of ctx.inputs) yield text.toUpperCase();
      },
    };
    void handlers;
  });

  it("refuses handlers that do not match the stream's shape", () => {
    const ok: ContractHandlers<Feed, Ctx> = {
      add: () => 1,
      async *tail() {
        yield { line: "", at: "" };
        return { lines: 0 };
      },
      upload: async () => ({ bytes: 0 }),
      async *chat() {},
    };
    // @ts-expect-error a method that yields needs a generator, not a plain result
    const notGenerator: ContractHandlers<Feed, Ctx> = { ...ok, tail: async () => ({ lines: 0 }) };
    const wrongItem: ContractHandlers<Feed, Ctx> = {
      ...ok,
      // @ts-expect-error items must match yields (z.input: `at` is a string)
      async *tail() {
        yield { line: "x", at: new Date() };
        return { lines: 1 };
      },
    };
    const noInputs: ContractHandlers<Feed, Ctx> = {
      ...ok,
      // @ts-expect-error only a method that accepts has ctx.inputs
      add: (_input, ctx) => ctx.inputs,
    };
    void [notGenerator, wrongItem, noInputs];
  });

  it("types client.call for unary and client-stream methods, inputs required for the latter", () => {
    type Caller = ContractCaller<Feed, Opts>;
    expectTypeOf<keyof Caller>().toEqualTypeOf<"add" | "upload">();
    expectTypeOf<Caller["upload"]>().parameters.toEqualTypeOf<
      [{ name: string }, Opts & StreamInputs<{ chunk: string; n?: number | undefined }>]
    >();
    expectTypeOf<Caller["upload"]>().returns.toEqualTypeOf<Promise<{ bytes: number }>>();
    expectTypeOf<Caller["upload"]>().toBeCallableWith(
      { name: "a" },
      { inputs: [{ chunk: "x" }], timeoutMs: 5 },
    );
    // @ts-expect-error a client stream needs its inputs
    expectTypeOf<Caller["upload"]>().toBeCallableWith({ name: "a" });
  });

  it("types client.stream for methods that yield: items to iterate, the output in result", async () => {
    type Streams = ContractStreamCaller<Feed, Opts>;
    expectTypeOf<keyof Streams>().toEqualTypeOf<"tail" | "chat">();
    expectTypeOf<Streams["tail"]>().returns.toEqualTypeOf<
      CallStream<{ line: string; at: Date }, { lines: number }>
    >();
    expectTypeOf<Streams["chat"]>().returns.toEqualTypeOf<CallStream<string, undefined>>();
    // @ts-expect-error a bidirectional stream needs its inputs
    expectTypeOf<Streams["chat"]>().toBeCallableWith({ room: "eu" });
    const streams = {} as Streams;
    const tail = streams.tail({ file: "log" }, { signal: AbortSignal.timeout(10) });
    for await (const item of tail) expectTypeOf(item.at).toEqualTypeOf<Date>();
    expectTypeOf(tail.result).toEqualTypeOf<Promise<{ lines: number }>>();
    async function* lines() {
      yield "hi";
    }
    expectTypeOf(streams.chat({ room: "eu" }, { inputs: lines() })).toEqualTypeOf<
      CallStream<string, undefined>
    >();
  });

  it("types the item checks per method", () => {
    expectTypeOf(feed.parseItem("tail", {})).toEqualTypeOf<
      ParseResult<{ line: string; at: Date }>
    >();
    expectTypeOf(feed.parseInputItem("upload", {})).toEqualTypeOf<
      ParseResult<{ chunk: string; n: number }>
    >();
    expectTypeOf(feed.checkOutboundItem("tail", {})).toEqualTypeOf<
      ParseResult<{ line: string; at: string }>
    >();
  });

  it("requires timeoutMs of a stream method and refuses it on a unary one", () => {
    defineContract({
      name: "x",
      version: 1,
      // @ts-expect-error a stream method states its own deadline
      requests: { t: { input: z.void(), yields: z.string() } },
    });
    defineContract({
      name: "x",
      version: 1,
      // @ts-expect-error a unary method takes its deadline from the call
      requests: { u: { input: z.void(), output: z.string(), timeoutMs: 5 } },
    });
  });

  it("keeps a wide contract's calls unary and its outputs unknown", () => {
    expectTypeOf<HasYields<AnyContract, string>>().toEqualTypeOf<false>();
    expectTypeOf<RequestOutput<AnyContract, string>>().toEqualTypeOf<unknown>();
    expectTypeOf<CallName<AnyContract>>().toEqualTypeOf<string>();
  });
});
