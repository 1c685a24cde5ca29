/**
 * The floor of the stream API's shape, a yardstick of `bench:streams`: what moving items
 * costs on node:net when the producer is an async generator and the consumer a `for await`, as the
 * streams API has them (a handler yields, a caller iterates), with no protocol at all: no call ids,
 * no credit, no header to parse, no validation.
 *
 * The writer pulls the generator with `for await`, copies each item behind its frame header into a
 * buffer it reuses once the socket holds nothing back (fresh otherwise), and writes 64 frames at a
 * time with the socket's own backpressure. The reader reads into slabs, like Parley's sockets (here
 * each read goes into the rest of a 256 KiB buffer, a fresh one once less than 64 KiB is left),
 * splits frames with the same length-prefix decoder as raw node:net's yardstick, takes each item as
 * a view of its frame, and hands it to a `for await` through the smallest async iterator that can
 * wait. Whatever Parley does above this is the protocol; whatever this does above raw node:net is
 * the API's shape on this runtime.
 */
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { LengthFieldDecoder } from "@parley/framing";
import { binHeaderBytes, ITEM_HEADER_BYTES, type RawRun } from "./raw-frames.js";

/** Frames per write, as raw node:net's yardstick writes them. */
const BATCH = 64;
/** Read slabs: reads go one after another into a slab, a fresh one when less than a read is left. */
const SLAB_BYTES = 256 * 1_024;
const READ_BYTES = 64 * 1_024;

/** Moves `count` items of `size` bytes over `address` (a Unix path, or "tcp"), as framed items. */
export async function measureFloor(address: string, size: number, count: number): Promise<RawRun> {
  const item = new Uint8Array(size).fill(1);
  const server: Server = createServer((socket: Socket) => {
    void send(socket, items(item, count), size).catch((error: Error) => socket.destroy(error));
  });
  await new Promise<void>((resolve) =>
    address === "tcp" ? server.listen(0, "127.0.0.1", resolve) : server.listen(address, resolve),
  );
  const port = (server.address() as { port?: number }).port;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const bodyStart = ITEM_HEADER_BYTES + binHeaderBytes(size);
  const received = new ItemQueue();
  const decoder = new LengthFieldDecoder({ maxFrameBytes: 4 * 1_048_576 });
  const onFrame = (frame: Uint8Array): void => received.push(frame.subarray(bodyStart));
  let slab = new Uint8Array(SLAB_BYTES);
  let used = 0;
  const onread = {
    buffer: (): Uint8Array => {
      if (SLAB_BYTES - used < READ_BYTES) {
        slab = new Uint8Array(SLAB_BYTES); // the old one may hold items not yet taken
        used = 0;
      }
      return slab.subarray(used);
    },
    callback: (bytes: number, region: Uint8Array): boolean => {
      used += bytes;
      decoder.push(region.subarray(0, bytes), onFrame);
      return true; // keep reading
    },
  };
  const socket =
    address === "tcp"
      ? netConnect({ port: port!, host: "127.0.0.1", onread })
      : netConnect({ path: address, onread });
  socket.on("end", () => received.end());
  socket.on("error", (error) => received.end(error));
  const closed = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  let n = 0;
  try {
    for await (const _ of received) n++;
  } catch (error) {
    socket.destroy();
    await closed();
    throw error;
  }
  const seconds = (performance.now() - start) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  await closed();
  return { frames: n, framesPerSec: n / seconds, cpuUsPerFrame: (cpu.user + cpu.system) / n };
}

/** The producer: the same shape as a streaming handler. */
async function* items(item: Uint8Array, count: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield item;
}

/** Frames and writes what `source` yields, waiting for `drain` when the socket backs up. */
async function send(socket: Socket, source: AsyncIterable<Uint8Array>, size: number) {
  const frameBytes = 4 + ITEM_HEADER_BYTES + binHeaderBytes(size) + size;
  let batch = new Uint8Array(frameBytes * BATCH);
  let at = 0;
  for await (const item of source) {
    at = writeFrame(batch, at, item);
    if (at < batch.length) continue;
    const more = socket.write(batch);
    at = 0;
    // Reused only once the socket has let go of every byte of it.
    if (socket.writableLength > 0) batch = new Uint8Array(batch.length);
    if (!more) await new Promise((resolve) => socket.once("drain", resolve));
  }
  if (at > 0) socket.write(batch.subarray(0, at));
  socket.end();
}

/** Writes `item` as one frame at `at` (length prefix, header, msgpack bin header); returns its end. */
export function writeFrame(out: Uint8Array, at: number, item: Uint8Array): number {
  const n = item.length;
  const head = binHeaderBytes(n);
  const length = ITEM_HEADER_BYTES + head + n;
  out[at] = length >>> 24;
  out[at + 1] = (length >>> 16) & 0xff;
  out[at + 2] = (length >>> 8) & 0xff;
  out[at + 3] = length & 0xff;
  let p = at + 4;
  out[p++] = 0x04; // Response
  out[p++] = 0x02; // MORE
  for (let i = 0; i < 4; i++) out[p++] = 0; // call id 0
  out[p++] = 0x00; // OK
  // msgpack bin 8, 16 or 32: the type byte, then the length big-endian in 1, 2 or 4 bytes.
  out[p++] = head === 2 ? 0xc4 : head === 3 ? 0xc5 : 0xc6;
  for (let shift = 8 * (head - 2); shift >= 0; shift -= 8) out[p++] = (n >>> shift) & 0xff;
  out.set(item, p);
  return p + n;
}

/** The smallest async iterator a `for await` can wait on: a queue and one waiting reader. */
class ItemQueue implements AsyncIterableIterator<Uint8Array> {
  private items: Uint8Array[] = [];
  private head = 0;
  private ended = false;
  private error: Error | undefined;
  private waiting: ((result: IteratorResult<Uint8Array>) => void) | undefined;
  private failing: ((error: Error) => void) | undefined;

  push(item: Uint8Array): void {
    const waiting = this.waiting;
    if (waiting === undefined) {
      this.items.push(item);
      return;
    }
    this.waiting = this.failing = undefined;
    waiting({ done: false, value: item });
  }

  end(error?: Error): void {
    this.ended = true;
    this.error = error;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (error !== undefined) this.failing?.(error);
    else waiting?.({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.ended) {
      return this.error === undefined
        ? Promise.resolve({ done: true, value: undefined })
        : Promise.reject(this.error);
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failing = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }
}
