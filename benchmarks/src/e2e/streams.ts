/**
 * `npm run bench:streams` (and the end of `npm run bench`): server-stream throughput against two
 * yardsticks measured in the same run, over TCP and Unix sockets, with 1 KiB and 64 KiB items and
 * the default windows:
 *
 * - unary calls at concurrency 256 carrying a request of the same size (a call is two frames, an
 *   item one);
 * - raw node:net pushing the same frames one way (length prefix + the item frame's payload), with
 *   the socket's own backpressure and a length-prefix decoder on the reading end, both in this
 *   process (the same heap as Parley's) and apart, in a child process of its own (raw's own heap:
 *   the stricter yardstick, see measureRawApart);
 * - the floor of the API's shape (stream-floor.ts): the same items from an async generator to a
 *   `for await` over node:net, framed, with no protocol. It shows how much of the gap to raw
 *   node:net the shape itself takes on this runtime, and how close Parley comes to it.
 *
 * Goals: a 1 KiB server stream moves at least 1.5x the unary requests/s and at least 0.5x raw
 * node:net's frames/s. It also reports what the window bounds: the reader's peak buffered bytes and
 * the heap growth while streaming.
 *
 * Each figure is the median of ROUNDS rounds after WARMUP_ROUNDS warm-up rounds of the same size,
 * for Parley and raw node:net alike: the first runs of a cold process measure the JIT compiler and
 * the heap's sizing more than the code.
 * A round runs the stream, the unary calls, raw node:net (here, then apart) and the floor back to
 * back, and each ratio is taken within the round. Both ends of each run live in one process, so
 * its CPU time (user + system, process.cpuUsage) per item is what one item costs end to end: on a
 * machine shared with others that figure holds steady while items/s follows the share of a core
 * the process gets, so it is reported too, and stream/raw by it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { connect, defineContract, serve, z } from "@parley/rpc";
import { BENCHMARKS_DIR } from "./machine.js";
import { median } from "./medians.js";
import { measureRaw, measureRawApart, type RawRun } from "./raw-frames.js";
import { measureFloor } from "./stream-floor.js";

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
/** Measured runs per figure, after the warm-up runs. */
const ROUNDS = wholeNumber("STREAM_ROUNDS", 5, 1);
/**
 * Rounds run and not counted. A server stream's CPU per item settles only in its third or fourth
 * round of 200,000 items (over Unix 2.9, 2.1, 1.8, 1.6, then 1.3-1.4 µs; with V8's young
 * generation fixed at its largest from the start, `--min-semi-space-size=16`, by the third): the
 * compiler's tiers and the heap's growth to the allocation rate. The floor settles by its second
 * round and raw node:net by its first. One warm-up round left Parley's median at 2.3 µs where a
 * long-running server spends 1.3, so three are run, for all of them alike.
 */
const WARMUP_ROUNDS = wholeNumber("STREAM_WARMUP_ROUNDS", 3, 1);

function wholeNumber(name: string, fallback: number, min: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number >= ${min} (got ${process.env[name]})`);
  }
  return value;
}
/** Window options under test (both ends); empty: the defaults. */
const WINDOW = process.env.STREAM_WINDOW_ITEMS
  ? { streamWindowItems: Number(process.env.STREAM_WINDOW_ITEMS) }
  : {};
const MIB = 1_048_576;
/** A yardstick not run at this point: its figures print as "-". */
const NO_RUN: RawRun = { frames: 0, framesPerSec: Number.NaN, cpuUsPerFrame: Number.NaN };

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
  /** CPU microseconds (user + system) of this process per item: both ends run here. */
  streamCpuUsPerItem: number;
  unaryRequestsPerSec: number;
  rawFramesPerSec: number;
  rawCpuUsPerFrame: number;
  /** Median over the rounds of stream items/s over raw frames/s measured in the same round. */
  streamVsRaw: number;
  /** The same by CPU: raw CPU per frame over stream CPU per item (1 = as cheap as raw). */
  streamVsRawCpu: number;
  rawApartFramesPerSec: number;
  rawApartCpuUsPerFrame: number;
  /** Median over the rounds of stream items/s over raw-apart frames/s in the same round. */
  streamVsRawApart: number;
  floorItemsPerSec: number;
  floorCpuUsPerItem: number;
  /** Median over the rounds of the floor's items/s over raw frames/s in the same round. */
  floorVsRaw: number;
  /** Median over the rounds of stream items/s over the floor's items/s in the same round. */
  streamVsFloor: number;
  peakBufferedBytes: number;
  heapGrowthMiB: number;
}

/** One measured round of a point. */
interface Round {
  streamItemsPerSec: number;
  streamCpuUsPerItem: number;
  unaryRequestsPerSec: number;
  raw: RawRun;
  rawApart: RawRun;
  floor: RawRun;
}

function url(transport: string): string {
  return transport === "tcp"
    ? "tcp://127.0.0.1:0"
    : `unix:///tmp/parley-bench-${process.pid}-${Math.random().toString(16).slice(2, 8)}.sock`;
}

/** The figures of one point, each the median over the measured rounds. */
type Measured = Omit<Row, "transport" | "size">;

/**
 * One point: each round runs the stream, the unary calls and the yardsticks back to back, so all
 * of them see the same state of a shared machine, and each ratio is taken within the round before
 * its median: neighbours' load moving between rounds moves both sides of a ratio together instead
 * of one of them.
 */
async function measurePoint(transport: string, size: number): Promise<Measured> {
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
  const rounds: Round[] = [];
  let peakBufferedBytes = 0;
  let heapGrowthMiB = 0;
  for (let round = 1 - WARMUP_ROUNDS; round <= ROUNDS; round++) {
    // The heap is sampled in the first warm-up run only: a full collection inside a timed run
    // would count against it.
    const sampled = round === 1 - WARMUP_ROUNDS;
    const heapBefore = sampled ? heapAfterGc() : 0;
    let peakHeap = 0;
    let n = 0;
    const cpuBefore = process.cpuUsage();
    let start = performance.now();
    for await (const _ of client.stream.flood({ count, size })) {
      if (++n % 64 === 0) {
        peakBufferedBytes = Math.max(peakBufferedBytes, client.peer!.stats.streamBytesBuffered);
      }
      if (sampled && n === count >> 1) peakHeap = heapAfterGc(); // mid-stream, window in use
    }
    const streamItemsPerSec = count / ((performance.now() - start) / 1_000);
    const cpu = process.cpuUsage(cpuBefore);
    if (sampled) heapGrowthMiB = (peakHeap - heapBefore) / MIB;
    // Unary at concurrency 256, the same number of requests.
    start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < count) await client.call.put(payload);
      }),
    );
    const unaryRequestsPerSec = count / ((performance.now() - start) / 1_000);
    const raw = await measureRaw(rawAddress(transport), size, RAW_FRAMES[size]!);
    const rawApart = await measureRawApart(rawAddress(transport), size, RAW_FRAMES[size]!);
    // The floor copies each item into its batch, as Parley does only below 4 KiB: it is the
    // yardstick of the 1 KiB goal, not of 64 KiB items.
    const floor = size === 1_024 ? await measureFloor(rawAddress(transport), size, count) : NO_RUN;
    if (round <= 0) continue; // a warm-up, of all four
    const streamCpuUsPerItem = (cpu.user + cpu.system) / count;
    rounds.push({
      streamItemsPerSec,
      streamCpuUsPerItem,
      unaryRequestsPerSec,
      raw,
      rawApart,
      floor,
    });
  }
  await client.close();
  await server.close();
  const of = (pick: (r: Round) => number): number => median(rounds.map(pick));
  return {
    streamItemsPerSec: of((r) => r.streamItemsPerSec),
    streamCpuUsPerItem: of((r) => r.streamCpuUsPerItem),
    unaryRequestsPerSec: of((r) => r.unaryRequestsPerSec),
    rawFramesPerSec: of((r) => r.raw.framesPerSec),
    rawCpuUsPerFrame: of((r) => r.raw.cpuUsPerFrame),
    streamVsRaw: of((r) => r.streamItemsPerSec / r.raw.framesPerSec),
    streamVsRawCpu: of((r) => r.raw.cpuUsPerFrame / r.streamCpuUsPerItem),
    rawApartFramesPerSec: of((r) => r.rawApart.framesPerSec),
    rawApartCpuUsPerFrame: of((r) => r.rawApart.cpuUsPerFrame),
    streamVsRawApart: of((r) => r.streamItemsPerSec / r.rawApart.framesPerSec),
    floorItemsPerSec: of((r) => r.floor.framesPerSec),
    floorCpuUsPerItem: of((r) => r.floor.cpuUsPerFrame),
    floorVsRaw: of((r) => r.floor.framesPerSec / r.raw.framesPerSec),
    streamVsFloor: of((r) => r.streamItemsPerSec / r.floor.framesPerSec),
    peakBufferedBytes,
    heapGrowthMiB,
  };
}

function rawAddress(transport: string): string {
  return transport === "tcp" ? "tcp" : url(transport).replace(/^unix:\/\//, "");
}

/** `value` with `digits` decimals and `unit`, or "-" for a yardstick not run. */
function figure(value: number, digits: number, unit = ""): string {
  return Number.isNaN(value) ? "-" : `${value.toFixed(digits)}${unit}`;
}

// Counts may round up to the batch: ITEMS and RAW_FRAMES are multiples of 64.
function report(rows: readonly Row[]): string {
  const lines = [
    "| transport | item | stream items/s | stream CPU µs/item | unary c=256 req/s | raw node:net frames/s | raw CPU µs/frame | raw apart frames/s | raw apart CPU µs/frame | floor items/s | floor CPU µs/item | stream / unary | stream / raw | stream / raw by CPU | stream / raw apart | floor / raw | stream / floor | peak buffered | heap growth |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.transport} | ${r.size / 1_024} KiB | ${Math.round(r.streamItemsPerSec)} | ` +
        `${r.streamCpuUsPerItem.toFixed(2)} | ${Math.round(r.unaryRequestsPerSec)} | ` +
        `${Math.round(r.rawFramesPerSec)} | ${r.rawCpuUsPerFrame.toFixed(2)} | ` +
        `${Math.round(r.rawApartFramesPerSec)} | ${r.rawApartCpuUsPerFrame.toFixed(2)} | ` +
        `${figure(r.floorItemsPerSec, 0)} | ${figure(r.floorCpuUsPerItem, 2)} | ` +
        `${(r.streamItemsPerSec / r.unaryRequestsPerSec).toFixed(2)}x | ` +
        `${r.streamVsRaw.toFixed(2)}x | ${r.streamVsRawCpu.toFixed(2)}x | ` +
        `${r.streamVsRawApart.toFixed(2)}x | ` +
        `${figure(r.floorVsRaw, 2, "x")} | ${figure(r.streamVsFloor, 2, "x")} | ` +
        `${Math.round(r.peakBufferedBytes / 1_024)} KiB | ${r.heapGrowthMiB.toFixed(1)} MiB |`,
    );
  }
  for (const r of rows.filter((row) => row.size === 1_024)) {
    const vsUnary = r.streamItemsPerSec / r.unaryRequestsPerSec;
    lines.push(
      "",
      `${vsUnary >= 1.5 ? "met" : "NOT MET"}: ${r.transport} 1 KiB stream >= 1.5x unary c=256 (${vsUnary.toFixed(2)}x)`,
      `${r.streamVsRaw >= 0.5 ? "met" : "NOT MET"}: ${r.transport} 1 KiB stream >= 0.5x raw node:net ` +
        `in this process (${r.streamVsRaw.toFixed(2)}x; by CPU per item ${r.streamVsRawCpu.toFixed(2)}x)`,
      `${r.streamVsRawApart >= 0.5 ? "met" : "NOT MET"}: ${r.transport} 1 KiB stream >= 0.5x raw ` +
        `node:net in a process of its own (${r.streamVsRawApart.toFixed(2)}x)`,
      `the floor of the API's shape (async generator to for await, no protocol): ` +
        `${r.floorVsRaw.toFixed(2)}x raw node:net; Parley's stream ${r.streamVsFloor.toFixed(2)}x the floor`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const transport of ["tcp", "unix"]) {
    for (const size of [1_024, 65_536]) {
      rows.push({ transport, size, ...(await measurePoint(transport, size)) });
      process.stdout.write(`${transport} ${size} B: ${JSON.stringify(rows.at(-1))}\n`);
    }
  }
  const text = `# Streams benchmark\n\n${new Date().toISOString()}, node ${process.version}, median of ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds; each round runs stream, unary, raw and floor back to back; CPU is user + system of the one process that holds both ends\n\n${report(rows)}\n`;
  const dir = join(BENCHMARKS_DIR, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "streams-latest.md"), text);
  process.stdout.write(`${text}\nwrote results/streams-latest.md\n`);
}

await main();
