import { describe, expect, it } from "vitest";
import { codeOf, until } from "./support/async.js";
import { calc, feed, notes } from "./support/contracts.js";
import { peerPair } from "./support/peer-pair.js";

const add = ({ a, b }: { a: number; b: number }) => ({ sum: a + b });

describe("bidirectional peers", () => {
  it("serve and call on the same connection, both ways at once", async () => {
    const { client, server } = peerPair(
      { serves: calc, calls: notes, handlers: { add } },
      {
        serves: notes,
        calls: calc,
        handlers: { remaining: () => ({ ms: 1 }), note: ({ text }) => ({ ok: text === "hi" }) },
      },
    );
    const [sum, note] = await Promise.all([
      client.call.add({ a: 2, b: 2 }),
      server.call.note({ text: "hi" }),
    ]);
    expect(sum).toEqual({ sum: 4 });
    expect(note).toEqual({ ok: true });
    expect(client.stats.requestsSent).toBe(1);
    expect(client.stats.requestsReceived).toBe(1);
  });

  it("lets a handler call back into its caller while the outer call waits", async () => {
    const { client } = peerPair(
      {
        serves: calc,
        calls: notes,
        handlers: {
          add: async ({ a, b }, ctx) => {
            const { ok } = await ctx.peer.call.note({ text: `adding ${a}+${b}` });
            return { sum: ok ? a + b : -1 };
          },
        },
      },
      {
        serves: notes,
        calls: calc,
        handlers: { remaining: () => ({ ms: 0 }), note: () => ({ ok: true }) },
      },
    );
    await expect(client.call.add({ a: 3, b: 4 })).resolves.toEqual({ sum: 7 });
  });

  it("sends signals both ways", async () => {
    const got: string[] = [];
    const { client, server } = peerPair(
      {
        serves: calc,
        calls: notes,
        signalHandlers: {
          log: ({ text }) => {
            got.push(text);
          },
        },
      },
      {
        serves: notes,
        calls: calc,
        signalHandlers: {
          progress: ({ pct }) => {
            got.push(`${pct}%`);
          },
        },
      },
    );
    await Promise.all([client.emit.log({ text: "hello" }), server.emit.progress({ pct: 50 })]);
    await until(() => got.length === 2);
    expect(got.sort()).toEqual(["50%", "hello"]);
  });

  it("lets a handler stream from its caller through ctx.peer.stream, bound to its deadline", async () => {
    const ended: string[] = [];
    // Served for completeness of the contract; this test calls only add (server) and tail (client).
    const unused = {
      add: (n: number) => n,
      async *tail(n: number) {
        yield String(n);
        return n;
      },
      upload: () => 0,
      async *chat() {
        yield "";
      },
    };
    const { client } = peerPair(
      {
        serves: feed,
        calls: feed,
        handlers: {
          ...unused,
          async add(n, ctx) {
            const lines = ctx.peer.stream.tail(n);
            let count = 0;
            for await (const _ of lines) count++;
            return count + (await lines.result);
          },
        },
      },
      {
        serves: feed,
        calls: feed,
        handlers: {
          ...unused,
          async *tail(n, ctx) {
            try {
              for (let i = 0; i < n; i++) {
                if (n > 10) await new Promise((resolve) => setTimeout(resolve, 5));
                yield `line ${i}`;
              }
              return n;
            } finally {
              ended.push(`tail(${n}) ${codeOf(ctx.signal.reason) ?? "done"}`);
            }
          },
        },
      },
    );
    await expect(client.call.add(3)).resolves.toBe(6);
    // The handler's 100 ms deadline bounds the stream back: the caller's generator is cancelled.
    const late = await client.call.add(1_000_000, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(codeOf(late)).toBe("DEADLINE_EXCEEDED");
    await until(() => ended.length === 2);
    // The nested call's deadline is the handler's, and the callee's is that plus the transit
    // (docs/protocol.md §6): the callee's own deadline and the caller's Cancel arrive at about the
    // same moment, and its generator ends with whichever comes first. Either means the caller is
    // gone; "done" would mean the stream ran on.
    expect(ended[0]).toBe("tail(3) done");
    expect(ended[1]).toMatch(/^tail\(1000000\) (DEADLINE_EXCEEDED|CANCELLED)$/);
  });
});
