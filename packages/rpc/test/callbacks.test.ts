import { describe, expect, expectTypeOf, it, onTestFinished } from "vitest";
import {
  connect,
  defineContract,
  type HandlerContext,
  type Handlers,
  type SignalHandlers,
  serve,
  z,
} from "../src/index.js";

const kv = defineContract({
  name: "kv",
  version: 1,
  requests: {
    set: { input: z.object({ key: z.string(), value: z.string() }), output: z.null() },
    watch: { input: z.string(), output: z.boolean() },
  },
  signals: { hello: z.string() },
});
const watcher = defineContract({
  name: "kv-watcher",
  version: 1,
  requests: { ping: { input: z.null(), output: z.string() } },
  signals: { changed: z.object({ key: z.string(), value: z.string() }) },
});

/** Handlers written outside serve(), typed by the exported types. */
function kvHandlers(watchers: Map<string, HandlerContext<typeof watcher>["connection"]>) {
  const handlers: Handlers<typeof kv, typeof watcher> = {
    set: async ({ key, value }) => {
      const connection = watchers.get(key);
      if (connection !== undefined) await connection.peer.emit.changed({ key, value });
      return null;
    },
    watch: async (key, ctx) => {
      if (!ctx.connection.servesCallbacks) return false;
      watchers.set(key, ctx.connection);
      // A typed call back into the client, inheriting this handler's deadline.
      return (await ctx.peer.call.ping(null)) === "pong";
    },
  };
  return handlers;
}

describe("optional callback contracts", () => {
  it("serves a plain client and a callback-serving client on one server", async () => {
    const watchers = new Map();
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: kv,
      calls: watcher,
      handlers: kvHandlers(watchers),
    });
    onTestFinished(() => server.close());
    const changes: unknown[] = [];
    const watching = await connect({
      url: server.url,
      contract: kv,
      serves: watcher,
      handlers: { ping: () => "pong" },
      signalHandlers: { changed: (change) => void changes.push(change) },
    });
    onTestFinished(() => watching.close());
    const plain = await connect({ url: server.url, contract: kv });
    onTestFinished(() => plain.close());

    await expect(watching.call.watch("a")).resolves.toBe(true);
    await expect(plain.call.watch("b")).resolves.toBe(false);
    await plain.call.set({ key: "a", value: "1" });
    await expect.poll(() => changes).toEqual([{ key: "a", value: "1" }]);
  });

  it("fails a call back into a client that serves nothing locally with UNIMPLEMENTED naming the fix", async () => {
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: kv,
      calls: watcher,
      handlers: {
        set: () => null,
        watch: async (_key, ctx) => {
          const error = await ctx.peer.call.ping(null).catch((e: unknown) => e);
          expect(error).toMatchObject({ code: "UNIMPLEMENTED", notExecuted: true });
          expect((error as Error).message).toContain("serves no contract");
          await expect(ctx.peer.emit.changed({ key: "k", value: "v" })).rejects.toMatchObject({
            code: "UNIMPLEMENTED",
          });
          return false;
        },
      },
    });
    onTestFinished(() => server.close());
    const plain = await connect({ url: server.url, contract: kv });
    onTestFinished(() => plain.close());
    await expect(plain.call.watch("x")).resolves.toBe(false);
    expect(server.connections[0]!.peer.stats.requestsSent).toBe(0);
  });

  it("refuses a client that serves nothing when requireCallbacks is set", async () => {
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: kv,
      calls: watcher,
      requireCallbacks: true,
      handlers: { set: () => null, watch: () => false },
    });
    onTestFinished(() => server.close());
    await expect(connect({ url: server.url, contract: kv })).rejects.toMatchObject({
      code: "CONTRACT_MISMATCH",
    });
  });
});

describe("handler types", () => {
  it("types ctx.peer.call and ctx.peer.emit from the callback contract; an unknown name is a type error", () => {
    type Ctx = HandlerContext<typeof watcher, { tenant: string }, { user: string }>;
    expectTypeOf<Ctx["peer"]["call"]["ping"]>().parameter(0).toEqualTypeOf<null>();
    expectTypeOf<Ctx["peer"]["call"]["ping"]>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<Ctx["peer"]["emit"]["changed"]>()
      .parameter(0)
      .toEqualTypeOf<{ key: string; value: string }>();
    expectTypeOf<Ctx["context"]>().toEqualTypeOf<{ tenant: string }>();
    expectTypeOf<Ctx["connection"]["identity"]>().toEqualTypeOf<{ user: string }>();
    const check = (ctx: Ctx) => {
      // @ts-expect-error: not a method of the callback contract
      void ctx.peer.call.pong;
      // @ts-expect-error: not a signal of the callback contract
      void ctx.peer.emit.change;
      // @ts-expect-error: wrong payload type
      void ctx.peer.emit.changed({ key: 1 });
    };
    expect(typeof check).toBe("function");
    const signals: SignalHandlers<typeof kv> = { hello: (text) => void text.toUpperCase() };
    // @ts-expect-error: a handler for a signal the contract lacks
    const wrong: SignalHandlers<typeof kv> = { goodbye: () => {} };
    expect(Object.keys({ ...signals, ...wrong })).toEqual(["hello", "goodbye"]);
  });
});
