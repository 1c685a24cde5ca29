import { recordConnection } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import { MIN_READ_BYTES, READ_SLAB_BYTES } from "../src/read-slabs.js";
import { noise, type SocketPair, tcpPair, turns, unixPair } from "./helpers/sockets.js";

const pairs: Record<string, () => Promise<SocketPair>> = { tcp: () => tcpPair(), unix: unixPair };

/** Sends `messages` from the server one turn apart, so each arrives as its own read. */
async function sendApart(pair: SocketPair, messages: readonly Buffer[]): Promise<Uint8Array[]> {
  const atClient = recordConnection(pair.client);
  let sent = 0;
  for (const message of messages) {
    pair.server.write([message]);
    sent += message.length;
    await atClient.whenBytes(sent);
    await turns(1);
  }
  return [...atClient.chunks];
}

/**
 * Waits until the server's `bytes` have left its socket for the kernel (on loopback the send puts
 * them in the client's receive buffer), then gives the client's event loop a few turns and a
 * timer's worth of polling: had the paused client read them, they would have been delivered by now.
 */
async function reachedReceiver(pair: SocketPair, bytes: number): Promise<void> {
  const sender = pair.server.socket;
  for (let i = 0; i < 1000 && (sender.bytesWritten < bytes || sender.writableLength > 0); i++) {
    await turns(1);
  }
  expect(sender.bytesWritten).toBeGreaterThanOrEqual(bytes);
  expect(sender.writableLength).toBe(0);
  await turns(5);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await turns(5);
}

describe.each(Object.keys(pairs))("a connected %s client reads into shared slabs", (kind) => {
  it("delivers consecutive reads as adjacent views of one slab, not a buffer each", async () => {
    const chunks = await sendApart(await pairs[kind]!(), [
      noise(10, 1),
      noise(20, 2),
      noise(30, 3),
    ]);
    expect(chunks.map((chunk) => chunk.byteLength)).toEqual([10, 20, 30]);
    const [first, second, third] = chunks as [Uint8Array, Uint8Array, Uint8Array];
    expect(second.buffer).toBe(first.buffer);
    expect(third.buffer).toBe(first.buffer);
    expect([second.byteOffset - first.byteOffset, third.byteOffset - second.byteOffset]).toEqual([
      10, 20,
    ]);
    expect(first.buffer.byteLength).toBe(READ_SLAB_BYTES);
  });

  it("moves to a fresh slab when the free tail is short, and never writes over a delivered chunk", async () => {
    // 60000 bytes leave less than MIN_READ_BYTES of the first slab: the last read needs a new one.
    expect(READ_SLAB_BYTES - 60_000).toBeLessThan(MIN_READ_BYTES);
    const messages = [noise(40_000, 4), noise(20_000, 5), noise(7, 6)];
    const chunks = await sendApart(await pairs[kind]!(), messages);
    expect(chunks.at(-1)!.buffer).not.toBe(chunks[0]!.buffer);
    // Every chunk still holds what was sent: later reads went elsewhere.
    expect(Buffer.concat(chunks).equals(Buffer.concat(messages))).toBe(true);
  });

  it("keeps a megabyte intact across many reads and slabs", async () => {
    const pair = await pairs[kind]!();
    const atClient = recordConnection(pair.client);
    const payload = noise(1024 * 1024, 8);
    for (let offset = 0; offset < payload.length; offset += 100_000) {
      pair.server.write([payload.subarray(offset, offset + 100_000)]);
    }
    await atClient.whenBytes(payload.length);
    expect(atClient.received().equals(payload)).toBe(true);
    expect(pair.client.socket.listenerCount("data")).toBe(0);
  });

  it("stops reading while paused and delivers what waited on resume", async () => {
    const pair = await pairs[kind]!();
    const atClient = recordConnection(pair.client);
    pair.client.pause();
    const message = noise(100, 10);
    pair.server.write([message]);
    await reachedReceiver(pair, message.length);
    expect(atClient.receivedBytes).toBe(0);
    pair.client.resume();
    await atClient.whenBytes(100);
    expect(atClient.received().equals(message)).toBe(true);
  });

  it("delivers bytes held by a pause before the end that followed them", async () => {
    const pair = await pairs[kind]!();
    const atClient = recordConnection(pair.client);
    pair.client.pause();
    const message = noise(3000, 11);
    pair.server.write([message]);
    pair.server.end();
    await reachedReceiver(pair, message.length);
    expect([atClient.receivedBytes, atClient.counts.ends]).toEqual([0, 0]);
    pair.client.resume();
    await atClient.whenEnded();
    expect(atClient.received().equals(message)).toBe(true);
    expect(atClient.violations).toEqual([]);
  });
});

describe("an accepted connection", () => {
  it("reads into slabs too: the accepted handle moves to a socket created with onread", async () => {
    const pair = await unixPair();
    const atServer = recordConnection(pair.server);
    pair.client.write([noise(10, 9)]);
    await atServer.whenBytes(10);
    expect(pair.server.socket.listenerCount("data")).toBe(0);
  });

  it.each(Object.keys(pairs))(
    "over %s delivers consecutive reads as adjacent views of one slab",
    async (kind) => {
      const pair = await pairs[kind]!();
      const atServer = recordConnection(pair.server);
      let sent = 0;
      for (const message of [noise(10, 1), noise(20, 2)]) {
        pair.client.write([message]);
        sent += message.length;
        await atServer.whenBytes(sent);
        await turns(1);
      }
      const [first, second] = atServer.chunks as [Uint8Array, Uint8Array];
      expect(atServer.chunks.map((chunk) => chunk.byteLength)).toEqual([10, 20]);
      expect(second.buffer).toBe(first.buffer);
      expect(second.byteOffset).toBe(first.byteOffset + 10);
      expect(first.buffer.byteLength).toBe(READ_SLAB_BYTES);
    },
  );
});
