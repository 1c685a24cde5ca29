import { defineContract, ServiceError } from "@parley/codec";
import type { Connection } from "@parley/framing";
import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import { createPeer } from "../src/index.js";
import { Kind, ResponseStatus } from "../src/wire-constants.js";
import { rejection } from "./support/async.js";
import { calc, failing, notes } from "./support/contracts.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";
import { spyWrites } from "./support/write-spy.js";

const add = ({ a, b }: { a: number; b: number }) => ({ sum: a + b });

/** An echo server on `serverEnd` and a ready client on `clientEnd`, destroyed when the test ends. */
async function readyEchoPair(clientEnd: Connection, serverEnd: Connection) {
  const server = createPeer(serverEnd, { handlers: { echo: (v: unknown) => v } });
  const client = createPeer(clientEnd, {});
  onTestFinished(() => {
    client.destroy();
    server.destroy();
  });
  await client.ready;
  return client;
}

/** An echo server and an open client whose connection writes are recorded from now on. */
async function echoPairWithClientWrites() {
  const [a, b] = createMemoryPair();
  const { connection: spy, writes } = spyWrites(a);
  const client = await readyEchoPair(spy, b);
  writes.length = 0;
  return { client, writes };
}

describe("requests", () => {
  it("returns the typed output through request() and the call proxy", async () => {
    const { client } = peerPair({ serves: calc, handlers: { add } }, { calls: calc });
    await expect(client.request("add", { a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    await expect(client.call.add({ a: 40, b: 2 })).resolves.toEqual({ sum: 42 });
    expect(client.stats.requestsSent).toBe(2);
    expect(client.stats.responsesReceived).toBe(2);
  });

  it("works untyped when neither side names a contract", async () => {
    const { client } = peerPair({ handlers: { twice: (n: number) => n * 2 } }, {});
    await expect(client.request("twice", 21)).resolves.toBe(42);
    await expect(client.call.twice!(4)).resolves.toBe(8);
  });

  it("pairs many concurrent responses with their calls whatever order they finish in", async () => {
    const echo = async (n: unknown) => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5)));
      return n;
    };
    const { client } = peerPair({ handlers: { echo } }, {});
    const inputs = Array.from({ length: 200 }, (_, i) => i);
    await expect(Promise.all(inputs.map((i) => client.request("echo", i)))).resolves.toEqual(
      inputs,
    );
  });

  it("delivers the remote handler's error as a RemoteError with its code, message and data", async () => {
    const fail = ({ code }: { code: string }) => {
      throw new ServiceError(code, "no such user", { id: 7 }, { retryable: true });
    };
    const { client } = peerPair({ serves: failing, handlers: { fail } }, { calls: failing });
    const error = await rejection(client.call.fail({ code: "NOT_FOUND" }));
    expect(error).toMatchObject({
      name: "RemoteError",
      code: "NOT_FOUND",
      message: "no such user",
    });
    expect((error as unknown as { data: unknown }).data).toEqual({ id: 7 });
    expect(error.retryable).toBe(true);
    expect(error.stack).not.toContain("inbound-calls");
  });

  it("sends a plain Error thrown by a handler as INTERNAL, without its stack", async () => {
    const { client } = peerPair(
      {
        handlers: {
          boom: () => {
            throw new TypeError("x is undefined");
          },
        },
      },
      {},
    );
    const error = await rejection(client.request("boom", null));
    expect(error).toMatchObject({ code: "INTERNAL", message: "x is undefined" });
  });

  it("answers UNIMPLEMENTED, not executed, for a method the remote does not serve", async () => {
    const { client } = peerPair({ serves: calc, handlers: { add } }, {});
    const unknown = await rejection(client.request("nope", {}));
    expect(unknown).toMatchObject({ code: "UNIMPLEMENTED", notExecuted: true });
    expect(unknown.message).toContain("not in contract calc");
  });

  it("answers UNIMPLEMENTED for a contract method that has no handler", async () => {
    // Typed handlers must cover the contract; an untyped caller can still reach a gap at run time.
    const partial = { remaining: () => ({ ms: 1 }) } as never;
    const { client } = peerPair({ serves: notes, handlers: partial }, {});
    const error = await rejection(client.request("note", { text: "x" }));
    expect(error).toMatchObject({ code: "UNIMPLEMENTED", notExecuted: true });
    expect(error.message).toContain("no handler for method note");
  });

  it("fails the call locally with UNIMPLEMENTED for a method missing from the called contract", async () => {
    const { client } = peerPair({ serves: calc, handlers: { add } }, { calls: calc });
    const error = await rejection(client.request("nope" as "add", { a: 1, b: 1 }));
    expect(error).toMatchObject({ code: "UNIMPLEMENTED", notExecuted: true });
    expect(client.stats.requestsSent).toBe(0);
  });

  it("rejects input that fails the served schema with INVALID_ARGUMENT and its issues", async () => {
    const { client } = peerPair({ serves: calc, handlers: { add } }, {});
    const error = await rejection(client.request("add", { a: "1", b: 2 }));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect((error as unknown as { data: { path: string[] }[] }).data[0]?.path).toEqual(["a"]);
  });

  it("keeps the connection usable after a call fails validation in either direction", async () => {
    let calls = 0;
    const flaky = {
      add: ({ a, b }: { a: number; b: number }) =>
        ++calls === 2 ? ({ sum: "bad" } as unknown as { sum: number }) : { sum: a + b },
    };
    const { client, server } = peerPair({ serves: calc, handlers: flaky }, { calls: calc });
    expect((await rejection(client.request("add", { a: "1", b: 2 } as never))).code).toBe(
      "INVALID_ARGUMENT",
    );
    await expect(client.call.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    expect((await rejection(client.call.add({ a: 1, b: 2 }))).code).toBe("INVALID_RESPONSE");
    await expect(client.call.add({ a: 2, b: 2 })).resolves.toEqual({ sum: 4 });
    expect([client.state, server.state]).toEqual(["open", "open"]);
  });

  it("validates the output on the calling side (INVALID_RESPONSE) when the server's handler misbehaves", async () => {
    const bad = { add: () => ({ sum: "three" }) as unknown as { sum: number } };
    const { client } = peerPair({ serves: calc, handlers: bad }, { calls: calc });
    const error = await rejection(client.call.add({ a: 1, b: 2 }));
    expect(error.code).toBe("INVALID_RESPONSE");
  });

  it("hands metadata to the handler's context", async () => {
    let seen: unknown;
    const { client } = peerPair(
      {
        handlers: {
          who: (_: unknown, ctx) => {
            seen = { ...ctx.metadata };
            return ctx.method;
          },
        },
      },
      {},
    );
    await expect(client.request("who", null, { metadata: { user: "ada" } })).resolves.toBe("who");
    expect(seen).toEqual({ user: "ada" });
  });

  it("rejects invalid call options with INVALID_OPTION before sending", async () => {
    const { client } = peerPair({ handlers: { x: () => 1 } }, {});
    for (const options of [
      { timeoutMs: 0 },
      { timeoutMs: Number.POSITIVE_INFINITY },
      { signal: {} },
      { metadata: 3 },
    ]) {
      const error = await rejection(client.request("x", null, options as never));
      expect(error.code).toBe("INVALID_OPTION");
    }
    expect((await rejection(client.request("x", null, { metadata: { "": "v" } }))).code).toBe(
      "INVALID_OPTION",
    );
    expect(client.stats.requestsSent).toBe(0);
  });

  it("counts and reports a Response for an unknown id, and carries on", async () => {
    const warnings: string[] = [];
    const { peer, remote } = peerWithRawRemote({ logger: { warn: (m) => warnings.push(m) } });
    const raw = new RawEnd(remote);
    raw.handshake();
    await peer.ready;
    raw.send({ kind: Kind.Response, id: 999, status: ResponseStatus.Ok, body: 1 });
    const call = peer.request("echo", 5);
    const request = await raw.next(Kind.Request);
    raw.send({
      kind: Kind.Response,
      id: (request as { id: number }).id,
      status: ResponseStatus.Ok,
      body: 5,
    });
    await expect(call).resolves.toBe(5);
    expect(peer.stats.unknownResponses).toBe(1);
    expect(warnings).toEqual([expect.stringContaining("Response for request 999")]);
    expect(peer.state).toBe("open");
  });

  it("refuses a request larger than the remote's maxFrameBytes before writing it (MESSAGE_TOO_LARGE)", async () => {
    const { client, server } = peerPair(
      { handlers: { echo: (v: unknown) => v }, maxFrameBytes: 65_536 },
      {},
    );
    await client.ready;
    const error = await rejection(client.request("echo", "x".repeat(70_000)));
    expect(error).toMatchObject({ code: "MESSAGE_TOO_LARGE", notExecuted: true });
    expect(error.message).toContain("maxFrameBytes (65536)");
    expect(server.stats.requestsReceived).toBe(0);
    await expect(client.request("echo", "small")).resolves.toBe("small");
  });

  it("turns a response too large for the caller into a MESSAGE_TOO_LARGE error for that call", async () => {
    const { client } = peerPair(
      { handlers: { big: () => "x".repeat(70_000) } },
      { maxFrameBytes: 65_536 },
    );
    const error = await rejection(client.request("big", null));
    expect(error.code).toBe("MESSAGE_TOO_LARGE");
    await expect(client.request("big2", null).catch((e) => e.code)).resolves.toBe("UNIMPLEMENTED");
  });

  it("turns an output the codec cannot encode into an error response, not a crash", async () => {
    const { client } = peerPair({ handlers: { f: () => ({ fn: () => 1 }) } }, {});
    const error = await rejection(client.request("f", null));
    expect(error.code).toMatch(/^CODEC_/);
  });

  it("checks the input before sending when the called contract has validateOutbound", async () => {
    const { defineContract } = await import("@parley/codec");
    const { z } = await import("zod");
    const strict = defineContract({
      name: "calc",
      version: 1,
      validateOutbound: true,
      requests: {
        add: {
          input: z.object({ a: z.number(), b: z.number() }),
          output: z.object({ sum: z.number() }),
        },
      },
    });
    const { client } = peerPair({ handlers: { add } }, { calls: strict });
    const error = await rejection(client.request("add", { a: "x" } as never));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(client.stats.requestsSent).toBe(0);
  });

  it("writes all frames of one turn in a single connection write, each chunk whole frames", async () => {
    const { client, writes } = await echoPairWithClientWrites();
    const calls = Array.from({ length: 100 }, (_, i) => client.request("echo", "x".repeat(i * 10)));
    await expect(Promise.all(calls)).resolves.toHaveLength(100);
    expect(writes).toHaveLength(1);
    // Frames lying back to back in memory share a chunk; no frame is split across two chunks.
    let frames = 0;
    for (const chunk of writes[0]!) {
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let p = 0;
      while (p < chunk.byteLength) {
        p += 4 + view.getUint32(p);
        frames++;
      }
      expect(p).toBe(chunk.byteLength);
    }
    expect(frames).toBe(100);
  });

  it("answers a received chunk's synchronous calls in one write before its onData returns", async () => {
    const [a, b] = createMemoryPair();
    const { connection: spy, writes } = spyWrites(b);
    let writesAfterData: number[] = [];
    const watched: typeof spy = {
      ...spy,
      attach: (handlers) =>
        spy.attach({
          ...handlers,
          onData: (chunk) => {
            const before = writes.length;
            handlers.onData(chunk);
            writesAfterData.push(writes.length - before);
          },
        }),
    };
    const client = await readyEchoPair(a, watched);
    writesAfterData = [];
    const calls = Array.from({ length: 10 }, (_, i) => client.request("echo", i));
    await expect(Promise.all(calls)).resolves.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The ten Requests arrived in one chunk; their ten Responses left in one write inside onData.
    expect(writesAfterData).toEqual([1]);
    expect(writes.at(-1)).toHaveLength(10);
  });

  it("writes a large byte-string body without copying it, as one frame of the batch", async () => {
    const { client, writes } = await echoPairWithClientWrites();
    const framesBefore = client.stats.framesSent;
    const payload = new Uint8Array(100_000).map((_, i) => i & 0xff);
    const small = client.request("echo", "before");
    const echoed = client.request("echo", payload);
    await expect(small).resolves.toBe("before");
    const back = (await echoed) as Uint8Array;
    expect(Buffer.from(back).equals(Buffer.from(payload))).toBe(true);
    // One write: the small Request, then the large one's head and the caller's own bytes.
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(3);
    expect(writes[0]![2]).toBe(payload);
    expect(client.stats.framesSent - framesBefore).toBe(2);
  });

  it("refuses an input whose schema throws as INVALID_ARGUMENT; the connection and its calls go on", async () => {
    const links = defineContract({
      name: "links",
      version: 1,
      requests: {
        host: { input: z.string().transform((s) => new URL(s).host), output: z.string() },
        slow: { input: z.number(), output: z.number() },
      },
    });
    let release = (_: number) => {};
    const { client, server } = peerPair(
      {
        serves: links,
        handlers: {
          host: (host) => host,
          slow: () => new Promise<number>((resolve) => (release = resolve)),
        },
      },
      { calls: links },
    );
    const slow = client.call.slow(1);
    expect(await client.call.host("https://example.com/a")).toBe("example.com");
    const error = await rejection(client.call.host("not a url"));
    expect(error).toMatchObject({ code: "INVALID_ARGUMENT" });
    release(7);
    expect(await slow).toBe(7);
    expect([client.state, server.state]).toEqual(["open", "open"]);
  });
});
