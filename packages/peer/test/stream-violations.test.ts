/**
 * A hand-built remote breaking the stream rules of docs/protocol.md §12.5 against a real peer: what
 * is fatal (PROTOCOL_ERROR), what is REJECTED, and what is late and only counted.
 */
import { describe, expect, it } from "vitest";
import { contractId } from "../src/contract-agreement.js";
import { CreditStream, Kind, ResponseStatus } from "../src/wire-constants.js";
import type { Message, RequestMessage, ResponseMessage } from "../src/wire-messages.js";
import { codeOf, rejection, until } from "./support/async.js";
import { feed } from "./support/contracts.js";
import { peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd } from "./support/raw-end.js";

const window = { items: 4, bytes: 1_048_576 };

/** A peer serving `feed` and a raw caller with stream windows, handshake done. */
async function served(handlers = {}) {
  const { peer, remote } = peerWithRawRemote({
    side: "server",
    serves: feed,
    streamWindowItems: 2,
    handlers: {
      add: (n: number) => n,
      async *tail(n: number) {
        for (let i = 0; i < n; i++) yield `line ${i}`;
        return n;
      },
      async upload(_f: string, ctx: { inputs: AsyncIterable<string> }) {
        let n = 0;
        for await (const chunk of ctx.inputs) n += chunk.length;
        return n;
      },
      async *chat() {},
      ...handlers,
    },
  });
  const raw = new RawEnd(remote);
  raw.handshake({ minor: 1, streamWindow: window, calls: contractId(feed) });
  await peer.ready;
  return { peer, raw };
}

/** A peer calling `feed` on a raw server with stream windows, handshake done. */
async function calling() {
  const { peer, remote } = peerWithRawRemote({ calls: feed, streamWindowItems: 2 });
  const raw = new RawEnd(remote);
  raw.handshake({ minor: 1, streamWindow: window, serves: contractId(feed) });
  await peer.ready;
  return { peer, raw };
}

function request(id: number, method: string, body: unknown, more?: boolean, timeoutMs = 5_000) {
  return { kind: Kind.Request, id, timeoutMs, method, metadata: undefined, body, more } as const;
}

function item(id: number, body: unknown): ResponseMessage {
  return { kind: Kind.Response, id, status: ResponseStatus.Ok, body, more: true };
}

async function fatal(peer: { closed: Promise<{ error?: Error }> }, ...why: string[]) {
  const info = await peer.closed;
  expect(codeOf(info.error)).toBe("PROTOCOL_ERROR");
  for (const w of why) expect(String(info.error?.message)).toContain(w);
}

describe("the handler's side of a stream", () => {
  it("Data without credit is fatal", async () => {
    const { peer, raw } = await served({
      async upload() {
        await new Promise(() => {});
      },
    });
    const data = (n: number): Message => ({ kind: Kind.Data, id: 1, more: true, body: `c${n}` });
    raw.send(request(1, "upload", "f", true, 0), data(1), data(2), data(3));
    await fatal(peer, "without credit");
  });

  it("Data for a call with no input stream, or after its end of input, is fatal", async () => {
    for (const frames of [
      [request(1, "tail", 1_000_000), { kind: Kind.Data, id: 1, more: true, body: "x" }],
      [
        request(1, "upload", "f", true, 0),
        { kind: Kind.Data, id: 1, more: false, body: undefined },
        { kind: Kind.Data, id: 1, more: true, body: "x" },
      ],
    ] as Message[][]) {
      const { peer, raw } = await served({
        async upload() {
          await new Promise(() => {});
        },
      });
      raw.send(...frames);
      await fatal(peer, "Data for call 1");
    }
  });

  it("Credit for the items of a method that yields none, or past 2^32 - 1, is fatal", async () => {
    const credit = (items: number): Message =>
      ({ kind: Kind.Credit, id: 1, stream: CreditStream.Outputs, items, bytes: 1 }) as Message;
    {
      const { peer, raw } = await served({
        async upload() {
          await new Promise(() => {});
        },
      });
      raw.send(request(1, "upload", "f", true, 0), credit(1));
      await fatal(peer, "yields nothing");
    }
    {
      const { peer, raw } = await served();
      raw.send(request(1, "tail", 1_000), credit(0xffff_ffff));
      await fatal(peer, "2^32 - 1");
    }
  });

  it("sends no item beyond the caller's window until credit comes", async () => {
    const { peer, raw } = await served();
    raw.send(request(1, "tail", 10));
    await raw.next(Kind.Response);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(raw.all(Kind.Response)).toHaveLength(window.items);
    raw.send({ kind: Kind.Credit, id: 1, stream: CreditStream.Outputs, items: 2, bytes: 100 });
    await until(() => raw.all(Kind.Response).length === window.items + 2);
    expect(peer.stats.streamItemsSent).toBe(window.items + 2);
  });

  it("REJECTS a MORE flag that does not match the method, and timeoutMs 0 on a method with a deadline", async () => {
    const { raw } = await served();
    raw.send(
      request(1, "tail", 1, true), // MORE on a method that accepts nothing
      request(2, "upload", "f", false, 0), // no MORE on one that accepts
      request(3, "tail", 1, false, 0), // no deadline, but the contract has one
      request(4, "add", 1, false, 0), // a unary call always has a deadline
    );
    for (let id = 1; id <= 4; id++) {
      const answer = (await raw.next(Kind.Response)) as ResponseMessage;
      expect(answer).toMatchObject({ id, status: ResponseStatus.Rejected });
      expect((answer.body as { code: string }).code).toBe("INVALID_ARGUMENT");
    }
  });

  it("answers an item it cannot decode INVALID_ARGUMENT, as an input it cannot decode, and aborts the handler", async () => {
    let reason: unknown;
    const { peer, raw } = await served({
      async upload(_f: string, ctx: { inputs: AsyncIterable<string> }) {
        try {
          for await (const _ of ctx.inputs);
        } catch (error) {
          reason = error;
        }
        return 0;
      },
    });
    raw.send(request(1, "upload", "f", true, 0));
    // A Data frame whose body starts with 0xc1, a byte msgpack never uses.
    const frame = raw.wire.encode({ kind: Kind.Data, id: 1, more: true, body: "x" }) as Uint8Array;
    const bad = Uint8Array.from(frame);
    bad[bad.length - 2] = 0xc1;
    raw.connection.write([bad]);
    const answer = (await raw.next(Kind.Response)) as ResponseMessage;
    expect(answer).toMatchObject({ id: 1, status: ResponseStatus.Error });
    expect(answer.body).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect((answer.body as { message: string }).message).toMatch(
      /item of upload could not be decoded/,
    );
    await until(() => reason !== undefined);
    expect(codeOf(reason)).toMatch(/^CODEC_/);
    expect(peer.state).toBe("open");
  });

  it("counts and drops Data and Credit for a call no longer in flight", async () => {
    const { peer, raw } = await served();
    raw.send(request(1, "tail", 1));
    await raw.next(Kind.Response);
    await raw.next(Kind.Response); // the final one
    raw.send(
      { kind: Kind.Credit, id: 1, stream: CreditStream.Outputs, items: 1, bytes: 1 },
      { kind: Kind.Data, id: 9, more: true, body: "late" },
    );
    await until(() => peer.stats.lateStreamFrames === 2);
    expect(await (peer as unknown as { state: string }).state).toBe("open");
  });
});

describe("the caller's side of a stream", () => {
  it("an item without credit is fatal", async () => {
    const { peer, raw } = await calling();
    const stream = peer.stream.tail(5);
    const opened = (await raw.next(Kind.Request)) as RequestMessage;
    raw.send(item(opened.id, "a"), item(opened.id, "b"), item(opened.id, "c"));
    await fatal(peer, "without credit");
    // The connection failed under the call: its fate is unknown to the caller.
    expect(codeOf(await rejection(stream.result))).toBe("CONNECTION_LOST");
  });

  it("REJECTED after an item, or an item for a unary call, is fatal", async () => {
    {
      const { peer, raw } = await calling();
      void peer.stream.tail(5).result.catch(() => {});
      const { id } = (await raw.next(Kind.Request)) as RequestMessage;
      const body = { code: "OVERLOADED", message: "too late" };
      raw.send(item(id, "a"), { kind: Kind.Response, id, status: ResponseStatus.Rejected, body });
      await fatal(peer, "REJECTED after 1 items");
    }
    {
      const { peer, raw } = await calling();
      void peer.call.add(1).catch(() => {});
      const { id } = (await raw.next(Kind.Request)) as RequestMessage;
      raw.send(item(id, 2));
      await fatal(peer, "not a stream");
    }
  });

  it("writes the Request with MORE and no deadline for an Infinity method, then Data and end of input", async () => {
    const { peer, raw } = await calling();
    const result = peer.call.upload("f", { inputs: ["a", "b"] });
    const opened = (await raw.next(Kind.Request)) as RequestMessage;
    expect(opened).toMatchObject({ method: "upload", more: true, timeoutMs: 0 });
    const a = await raw.next(Kind.Data);
    const b = await raw.next(Kind.Data);
    const end = await raw.next(Kind.Data);
    expect([a, b, end]).toMatchObject([
      { more: true, body: "a" },
      { more: true, body: "b" },
      { more: false, body: undefined },
    ]);
    raw.send({ kind: Kind.Response, id: opened.id, status: ResponseStatus.Ok, body: 2 });
    await expect(result).resolves.toBe(2);
  });

  it("counts and drops items and Credit that cross its Cancel", async () => {
    const { peer, raw } = await calling();
    const stream = peer.stream.tail(5);
    const { id } = (await raw.next(Kind.Request)) as RequestMessage;
    raw.send(item(id, "a"));
    for await (const _ of stream) break;
    await raw.next(Kind.Cancel);
    raw.send(item(id, "b"), {
      kind: Kind.Credit,
      id,
      stream: CreditStream.Inputs,
      items: 1,
      bytes: 1,
    });
    await until(() => peer.stats.lateStreamFrames === 2);
    expect(peer.state).toBe("open");
  });
});
