// The owner's read target: the rest of a large frame read by the kernel into the frame's own buffer.
import { type Connection, LengthFieldDecoder } from "@parley/framing";
import { describe, expect, it } from "vitest";
import {
  MAX_READ_SLAB_BYTES,
  MIN_READ_BYTES,
  READ_SLAB_BYTES,
  ReadSlabs,
} from "../src/read-slabs.js";
import { noise, type SocketPair, tcpPair, turns, unixPair } from "./helpers/sockets.js";

// Node's side of `onread`, as a socket drives it: a region, a read into it, the next region.
const onread = (slabs: ReadSlabs) =>
  slabs.onread as {
    buffer: () => Uint8Array;
    callback: (bytesRead: number, region: Uint8Array) => boolean;
  };

const pairs: Record<string, () => Promise<SocketPair>> = { tcp: () => tcpPair(), unix: unixPair };

const framed = (payload: Buffer): Buffer => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length);
  return Buffer.concat([head, payload]);
};

/** Attaches a decoder that offers read targets; records frames and where each chunk was read. */
function decodeWithTargets(connection: Connection) {
  const decoder = new LengthFieldDecoder({ maxFrameBytes: 1 << 22 });
  const frames: Uint8Array[] = [];
  const targets = new Set<ArrayBufferLike>();
  let targetedChunks = 0;
  connection.attach({
    onData: (chunk) => {
      if (targets.has(chunk.buffer)) targetedChunks++;
      decoder.push(chunk, (frame) => frames.push(frame));
    },
    onEnd: () => {},
    onDrain: () => {},
    onClose: () => {},
    readTarget: (minBytes, next) => {
      const target = decoder.readTarget(minBytes, next);
      if (target !== undefined && target !== next) targets.add(target.buffer);
      return target;
    },
  });
  return {
    frames,
    targetedChunks: () => targetedChunks,
    async whenFrames(count: number): Promise<void> {
      for (let i = 0; i < 20_000 && frames.length < count; i++) await turns(1);
      expect(frames.length).toBe(count);
    },
  };
}

/** Writes `bytes` in pieces a few event-loop turns apart, so reads end inside frames. */
async function writeInPieces(to: Connection, bytes: Buffer, piece: number): Promise<void> {
  for (let at = 0; at < bytes.length; at += piece) {
    to.write([bytes.subarray(at, at + piece)]);
    await turns(2);
  }
}

/** Compares with Buffer#equals: a deep equality over a megabyte takes seconds. */
function expectPayloads(frames: readonly Uint8Array[], expected = payloads): void {
  expect(frames.map((f) => f.length)).toEqual(expected.map((p) => p.length));
  for (const [i, frame] of frames.entries()) {
    expect(Buffer.from(frame).equals(expected[i]!), `frame ${i}`).toBe(true);
  }
}

const payloads = [
  noise(300_000, 1),
  noise(10, 2),
  noise(70_000, 3),
  noise(5, 4),
  noise(1 << 20, 5),
];
const wire = Buffer.concat(payloads.map(framed));

describe.each(Object.keys(pairs))("reads into the owner's target over %s", (kind) => {
  it("a connected socket reads the rest of each large frame into the frame's own buffer", async () => {
    const pair = await pairs[kind]!();
    const client = decodeWithTargets(pair.client);
    await writeInPieces(pair.server, wire, 50_000);
    await client.whenFrames(payloads.length);
    expectPayloads(client.frames);
    expect(client.targetedChunks()).toBeGreaterThan(0);
    // The megabyte frame is its own buffer, not a view into a read slab.
    expect(client.frames[4]!.buffer.byteLength).toBe(1 << 20);
    expect(client.frames[4]!.buffer.byteLength).not.toBe(READ_SLAB_BYTES);
  });

  it("an accepted socket does the same", async () => {
    const pair = await pairs[kind]!();
    const server = decodeWithTargets(pair.server);
    await writeInPieces(pair.client, wire, 65_536);
    await server.whenFrames(payloads.length);
    expectPayloads(server.frames);
    expect(server.targetedChunks()).toBeGreaterThan(0);
  });

  it("keeps every byte in order across pauses in the middle of a frame", async () => {
    const pair = await pairs[kind]!();
    const client = decodeWithTargets(pair.client);
    for (let at = 0, round = 0; at < wire.length; at += 40_000, round++) {
      if (round % 3 === 0) pair.client.pause();
      pair.server.write([wire.subarray(at, at + 40_000)]);
      await turns(3);
      pair.client.resume();
      await turns(1);
    }
    await client.whenFrames(payloads.length);
    expectPayloads(client.frames);
  });
});

describe("ReadSlabs and the owner's target", () => {
  it("asks for no target while a chunk read earlier is held by a pause", async () => {
    const slabs = new ReadSlabs();
    const delivered: Uint8Array[] = [];
    const target = new Uint8Array(100_000);
    let asked = 0;
    slabs.attach(
      (chunk) => delivered.push(chunk),
      () => {
        asked++;
        return target;
      },
    );
    slabs.resume();
    const node = onread(slabs);
    const first = node.buffer();
    expect(first).toBe(target);
    slabs.pause();
    expect(node.callback(10, first)).toBe(false); // held: the owner has not seen it
    // The next read must not go to the owner's region: the held bytes reach the owner first.
    expect(node.buffer().buffer).not.toBe(target.buffer);
    expect(asked).toBe(1);
    slabs.resume();
    await turns(2);
    expect(delivered.map((chunk) => chunk.buffer)).toEqual([target.buffer]);
    expect(node.buffer()).toBe(target);
  });
});

describe("ReadSlabs shows the owner its free tail", () => {
  function slabsHandingBack(take: boolean) {
    const slabs = new ReadSlabs();
    const shown: Uint8Array[] = [];
    slabs.attach(
      () => {},
      (_minBytes, next) => {
        shown.push(next);
        return take ? next : undefined;
      },
    );
    slabs.resume();
    return { node: onread(slabs), shown };
  }

  it("offers the tail the read would go to, which is the next read's region", () => {
    const { node, shown } = slabsHandingBack(false);
    const first = node.buffer();
    expect(shown[0]).toBe(first);
    expect(first.length).toBe(READ_SLAB_BYTES);
    node.callback(100, first);
    const second = node.buffer();
    expect(shown[1]).toBe(second);
    expect([second.buffer, second.byteOffset]).toEqual([first.buffer, first.byteOffset + 100]);
  });

  it("reads into a tail shorter than MIN_READ_BYTES when the owner takes it", () => {
    expect(100).toBeLessThan(MIN_READ_BYTES);
    // The owner's unfinished frame ends where the tail starts and fits it: no fresh slab, no copy.
    const taken = slabsHandingBack(true);
    const first = taken.node.buffer();
    taken.node.callback(READ_SLAB_BYTES - 100, first);
    const tail = taken.node.buffer();
    expect([tail.buffer, tail.length]).toEqual([first.buffer, 100]);
    // Left to itself, the same short tail is given up for a fresh slab.
    const left = slabsHandingBack(false);
    const start = left.node.buffer();
    left.node.callback(READ_SLAB_BYTES - 100, start);
    expect(left.node.buffer().buffer).not.toBe(start.buffer);
  });
});

/** ReadSlabs driven as a socket would, delivering to a frame decoder that names read targets. */
function slabsWithDecoder() {
  const decoder = new LengthFieldDecoder({ maxFrameBytes: 1 << 20 });
  const slabs = new ReadSlabs();
  const frames: Uint8Array[] = [];
  slabs.attach(
    (chunk) => decoder.push(chunk, (frame) => frames.push(frame)),
    (minBytes, next) => decoder.readTarget(minBytes, next),
  );
  slabs.resume();
  return { node: onread(slabs), frames };
}

describe("ReadSlabs with a frame decoder taking the slab's tail", () => {
  it("completes a frame in a short tail as one view over the slab, each read after the last", () => {
    const { node, frames } = slabsWithDecoder();
    // 55,000 + 10,000 wire bytes fill the first slab but for 536; a small frame follows.
    const payloadsHere = [noise(54_996, 1), noise(9_996, 2), noise(300, 3)];
    const bytes = Buffer.concat(payloadsHere.map(framed));
    let at = 0;
    const read = (region: Uint8Array, n: number): void => {
      region.set(bytes.subarray(at, at + n));
      node.callback(n, region);
      at += n;
    };
    const slab = node.buffer();
    read(slab, 60_000);
    // 5,536 bytes left, under MIN_READ_BYTES: used only because the unfinished frame ends there.
    const tail = node.buffer();
    expect(tail.buffer === slab.buffer).toBe(true);
    expect([tail.byteOffset, tail.length]).toEqual([60_000, 5_536]);
    read(tail, 2_000);
    const rest = node.buffer();
    expect(rest.buffer === slab.buffer).toBe(true);
    expect([rest.byteOffset, rest.length]).toEqual([62_000, 3_536]);
    read(rest, 3_000);
    expect(frames.map((f) => f.buffer === slab.buffer)).toEqual([true, true]);
    expect(frames.map((f) => f.byteOffset)).toEqual([4, 55_004]);
    // 536 bytes left: the next read goes to a fresh slab, never over the frames.
    const after = node.buffer();
    expect(after.buffer === slab.buffer).toBe(false);
    read(after, bytes.length - at);
    expectPayloads(frames, payloadsHere);
  });
});

describe("ReadSlabs with a decoder guessing the next frame's size", () => {
  it("reads many frames at a time into the guessed buffer, each read after the last", () => {
    const { node, frames } = slabsWithDecoder();
    // 200 frames of 20,004 wire bytes, always waiting: every read fills its region.
    const sent = Array.from({ length: 200 }, (_, i) => noise(20_000, i));
    const bytes = Buffer.concat(sent.map(framed));
    const sizes: number[] = [];
    for (let at = 0; at < bytes.length; ) {
      const region = node.buffer();
      const n = Math.min(region.length, bytes.length - at);
      region.set(bytes.subarray(at, at + n));
      node.callback(n, region);
      sizes.push(n);
      at += n;
    }
    expectPayloads(frames, sent);
    // The guessed buffer holds 26 whole frames and each read goes on after the last: reads of one
    // frame each would make 200 reads or more.
    expect(sizes.filter((n) => n === 20_004).length).toBeLessThan(20);
    expect(sizes.length).toBeLessThan(40);
  });
});

describe("ReadSlabs sizes", () => {
  /** Drives `slabs` as a socket would, with reads of the given sizes (capped by each region). */
  function readSizes(slabs: ReadSlabs, sizes: readonly number[]): number[] {
    const node = onread(slabs);
    const slabSizes: number[] = [];
    for (const size of sizes) {
      const region = node.buffer();
      slabSizes.push(region.buffer.byteLength);
      node.callback(Math.min(size, region.length), region);
    }
    return slabSizes;
  }

  it("grows the next slab while reads fill their regions, up to the maximum", () => {
    const slabs = new ReadSlabs();
    slabs.attach(() => {});
    slabs.resume();
    const sizes = readSizes(slabs, Array(12).fill(Number.POSITIVE_INFINITY));
    expect(sizes.slice(0, 5)).toEqual([
      READ_SLAB_BYTES,
      READ_SLAB_BYTES * 2,
      READ_SLAB_BYTES * 4,
      READ_SLAB_BYTES * 8,
      MAX_READ_SLAB_BYTES,
    ]);
    expect(Math.max(...sizes)).toBe(MAX_READ_SLAB_BYTES);
  });

  it("shrinks back once a slab's reads no longer fill their regions", () => {
    const slabs = new ReadSlabs();
    slabs.attach(() => {});
    slabs.resume();
    readSizes(slabs, Array(8).fill(Number.POSITIVE_INFINITY));
    // Small reads: each slab is used up by many reads none of which fills its region.
    const sizes = readSizes(slabs, Array(400).fill(20_000));
    expect(sizes.at(-1)).toBe(READ_SLAB_BYTES);
  });
});
