/**
 * `npm run bench:streams` (and the end of `npm run bench`): server-stream throughput against two
 * yardsticks measured in the same run, over TCP and Unix sockets, with 1 KiB and 64 KiB items and
 * the default windows:
 *
 * - unary calls at concurrency 256 carrying a request of the same size (a call is two frames, an
 *   item one);
 * - raw node:net pushing the same frames one way (length prefix + the item frame's payload), with
 *   the socket's own backpressure and a length-prefix decoder on the reading end.
 *
 * Goals: a 1 KiB server stream moves at least 1.5x the unary requests/s and at least 0.5x raw
 * node:net's frames/s. It also reports what the window bounds: the reader's peak buffered bytes and
 * the heap growth while streaming.
 *
 * Each figure is the median of ROUNDS runs after a warm-up run of the same size, for Parley and raw
 * node:net alike: the first run of a cold process measures the JIT compiler more than the code.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { LengthFieldDecoder } from "@parley/framing";
import { connect, defineContract, serve, z } from "@parley/rpc";
import { BENCHMARKS_DIR } from "./machine.js";
import { median } from "./medians.js";

const bench = defineContract({
  name: "bench-streams",
  version: 1,
  requests: {
    flood: {
      input: z.object({ count: z.number(), size: z.number() }),
      yields: z.instanceof(Uint8Array),
      output: z.number(),
      timeoutMs: 600_000,
    },
    put: { input: z.instanceof(Uint8Array), output: z.number() },
  },
  validateInbound: false,
});

/** Items per measured run, sized so one run takes about a second on a fast machine. */
const ITEMS: Readonly<Record<number, number>> = { 1024: 200_000, 65536: 10_000 };
/**
 * Frames per raw node:net run: raw moves 1 KiB frames 2-4x as fast, so the same count would be
 * over in a tenth of a second, too short a window to measure steadily (runs spread by 1.5x).
 */
const RAW_FRAMES: Readonly<Record<number, number>> = { 1024: 1_000_000, 65536: 10_000 };
const CONCURRENCY = 256;
/** Measured runs per figure, after one warm-up run. */
const ROUNDS = Number(process.env.STREAM_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  throw new RangeError(
    `STREAM_ROUNDS must be a whole number >= 1 (got ${process.env.STREAM_ROUNDS})`,
  );
}
/** Window options under test (both ends); empty: the defaults. */
const WINDOW = process.env.STREAM_WINDOW_ITEMS
  ? { streamWindowItems: Number(process.env.STREAM_WINDOW_ITEMS) }
  : {};
const MIB = 1_048_576;

/** Heap used after a full GC (the flag set at run time, as @parley/testkit's heap tools do). */
function heapAfterGc(): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

interface Row {
  transport: string;
  size: number;
  streamItemsPerSec: number;
  unaryRequestsPerSec: number;
  rawFramesPerSec: number;
  peakBufferedBytes: number;
  heapGrowthMiB: number;
}

function url(transport: string): string {
  return transport === "tcp"
    ? "tcp://127.0.0.1:0"
    : `unix:///tmp/parley-bench-${process.pid}-${Math.random().toString(16).slice(2, 8)}.sock`;
}

async function measureParley(transport: string, size: number) {
  const payload = new Uint8Array(size).fill(1);
  const server = await serve({
    url: url(transport),
    contract: bench,
    ...WINDOW,
    handlers: {
      async *flood({ count }) {
        for (let i = 0; i < count; i++) yield payload;
        return count;
      },
      put: (input) => input.length,
    },
  });
  const client = await connect({ url: server.url, contract: bench, ...WINDOW });
  const count = ITEMS[size]!;
  const streams: number[] = [];
  const unary: number[] = [];
  let peakBufferedBytes = 0;
  let heapGrowthMiB = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    // The heap is sampled in the warm-up run only: a full collection inside a timed run would
    // count against it.
    const heapBefore = round === 0 ? heapAfterGc() : 0;
    let peakHeap = 0;
    let n = 0;
    let start = performance.now();
    for await (const _ of client.stream.flood({ count, size })) {
      if (++n % 64 === 0) {
        peakBufferedBytes = Math.max(peakBufferedBytes, client.peer!.stats.streamBytesBuffered);
      }
      if (round === 0 && n === count >> 1) peakHeap = heapAfterGc(); // mid-stream, window in use
    }
    const streamItemsPerSec = count / ((performance.now() - start) / 1_000);
    if (round === 0) heapGrowthMiB = (peakHeap - heapBefore) / MIB;
    // Unary at concurrency 256, the same number of requests.
    start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < count) await client.call.put(payload);
      }),
    );
    if (round === 0) continue; // the warm-up
    streams.push(streamItemsPerSec);
    unary.push(count / ((performance.now() - start) / 1_000));
  }
  const streamItemsPerSec = median(streams);
  const unaryRequestsPerSec = median(unary);
  await client.close();
  await server.close();
  return { streamItemsPerSec, unaryRequestsPerSec, peakBufferedBytes, heapGrowthMiB };
}

/**
 * Raw node:net: the server writes `count` frames of `size` bytes as fast as backpressure allows, in
 * writes of 64 frames (as many as a stream window; Parley's outbox also writes a turn's frames at
 * once), so the ceiling is not set by one syscall per frame.
 */
async function measureRaw(transport: string, size: number): Promise<number> {
  const count = RAW_FRAMES[size]!;
  const batch = 64;
  // The same bytes as a Response item: length prefix, 7 bytes of header, a msgpack bin header.
  const frameBytes = 4 + 7 + 5 + size;
  const chunk = new Uint8Array(frameBytes * batch);
  const view = new DataView(chunk.buffer);
  for (let i = 0; i < batch; i++) view.setUint32(i * frameBytes, frameBytes - 4);
  const server: Server = createServer((socket: Socket) => {
    let sent = 0;
    const pump = () => {
      while (sent < count) {
        sent += batch;
        if (!socket.write(chunk)) {
          socket.once("drain", pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
  const address = url(transport).replace(/^unix:\/\//, "");
  await new Promise<void>((resolve) =>
    transport === "tcp" ? server.listen(0, "127.0.0.1", resolve) : server.listen(address, resolve),
  );
  const target = server.address();
  const start = performance.now();
  const frames = await new Promise<number>((resolve, reject) => {
    const socket =
      transport === "tcp"
        ? netConnect((target as { port: number }).port, "127.0.0.1")
        : netConnect(address);
    const decoder = new LengthFieldDecoder({ maxFrameBytes: 4 * MIB });
    let n = 0;
    socket.on("data", (chunk) => decoder.push(chunk, () => n++));
    socket.on("end", () => resolve(n));
    socket.on("error", reject);
  });
  const framesPerSec = frames / ((performance.now() - start) / 1_000);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return framesPerSec;
}

// Counts may round up to the batch: ITEMS and RAW_FRAMES are multiples of 64.
function report(rows: readonly Row[]): string {
  const lines = [
    "| transport | item | stream items/s | unary c=256 req/s | raw node:net frames/s | stream / unary | stream / raw | peak buffered | heap growth |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.transport} | ${r.size / 1_024} KiB | ${Math.round(r.streamItemsPerSec)} | ` +
        `${Math.round(r.unaryRequestsPerSec)} | ${Math.round(r.rawFramesPerSec)} | ` +
        `${(r.streamItemsPerSec / r.unaryRequestsPerSec).toFixed(2)}x | ` +
        `${(r.streamItemsPerSec / r.rawFramesPerSec).toFixed(2)}x | ` +
        `${Math.round(r.peakBufferedBytes / 1_024)} KiB | ${r.heapGrowthMiB.toFixed(1)} MiB |`,
    );
  }
  for (const r of rows.filter((row) => row.size === 1_024)) {
    const vsUnary = r.streamItemsPerSec / r.unaryRequestsPerSec;
    const vsRaw = r.streamItemsPerSec / r.rawFramesPerSec;
    lines.push(
      "",
      `${vsUnary >= 1.5 ? "met" : "NOT MET"}: ${r.transport} 1 KiB stream >= 1.5x unary c=256 (${vsUnary.toFixed(2)}x)`,
      `${vsRaw >= 0.5 ? "met" : "NOT MET"}: ${r.transport} 1 KiB stream >= 0.5x raw node:net (${vsRaw.toFixed(2)}x)`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const transport of ["tcp", "unix"]) {
    for (const size of [1_024, 65_536]) {
      const parley = await measureParley(transport, size);
      const raw: number[] = [];
      for (let round = 0; round <= ROUNDS; round++) {
        const framesPerSec = await measureRaw(transport, size);
        if (round > 0) raw.push(framesPerSec); // round 0 is the warm-up
      }
      const rawFramesPerSec = median(raw);
      rows.push({ transport, size, rawFramesPerSec, ...parley });
      process.stdout.write(`${transport} ${size} B: ${JSON.stringify(rows.at(-1))}\n`);
    }
  }
  const text = `# Streams benchmark\n\n${new Date().toISOString()}, node ${process.version}, median of ${ROUNDS} runs after a warm-up\n\n${report(rows)}\n`;
  const dir = join(BENCHMARKS_DIR, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "streams-latest.md"), text);
  process.stdout.write(`${text}\nwrote results/streams-latest.md\n`);
}

await main();
