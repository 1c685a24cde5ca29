import { describe, expect, it } from "vitest";
import { until } from "./support/async.js";
import { calc, notes } from "./support/contracts.js";
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
});
