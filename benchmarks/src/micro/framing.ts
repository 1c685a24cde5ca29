// `npm run bench:framing`: @parley/framing's LengthFieldDecoder/Encoder against the naive framer
// most hand-written Node code uses (Buffer.concat of the backlog on every chunk), in one process.
// Prints frames/s, MB/s and the ratio to naive per case, then the bytes copied per spanning frame.
import { cpus, loadavg } from "node:os";
import { LengthFieldDecoder, LengthFieldEncoder } from "@parley/framing";
import { Bench } from "tinybench";

type OnFrame = (frame: Uint8Array) => void;

/** The baseline: concat the backlog with every chunk, re-slice after every frame. */
class NaiveDecoder {
  private backlog = Buffer.alloc(0);
  copiedBytes = 0;
  push(chunk: Buffer, onFrame: OnFrame): void {
    this.backlog = Buffer.concat([this.backlog, chunk]);
    this.copiedBytes += this.backlog.length;
    while (this.backlog.length >= 4) {
      const length = this.backlog.readUInt32BE(0);
      if (this.backlog.length < 4 + length) break;
      onFrame(this.backlog.subarray(4, 4 + length));
      this.backlog = this.backlog.subarray(4 + length);
    }
  }
}

const naiveEncode = (payload: Buffer): Buffer => {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
};

const KiB = 1024;
const MiB = 1024 * KiB;

interface DecodeCase {
  name: string;
  frameBytes: number;
  frames: number;
  chunkBytes: number;
}

const decodeCases: DecodeCase[] = [
  { name: "64 B frames, 64 KiB chunks", frameBytes: 64, frames: 32 * KiB, chunkBytes: 64 * KiB },
  { name: "1 KiB frames, 64 KiB chunks", frameBytes: KiB, frames: 4 * KiB, chunkBytes: 64 * KiB },
  { name: "1 KiB frames, 1-byte chunks", frameBytes: KiB, frames: 32, chunkBytes: 1 },
  { name: "64 KiB frames, 64 KiB chunks", frameBytes: 64 * KiB, frames: 64, chunkBytes: 64 * KiB },
  { name: "1 MiB frames, 64 KiB chunks", frameBytes: MiB, frames: 8, chunkBytes: 64 * KiB },
];

/** The wire bytes of a case, cut into separately allocated chunks as a socket delivers them. */
function chunksFor(c: DecodeCase): Buffer[] {
  const payload = Buffer.alloc(c.frameBytes, 0x61);
  const wire = new LengthFieldEncoder({ maxFrameBytes: 2 * MiB }).encodeBatch(
    Array.from({ length: c.frames }, () => payload),
  );
  const chunks: Buffer[] = [];
  for (let at = 0; at < wire.length; at += c.chunkBytes) {
    chunks.push(Buffer.from(wire.subarray(at, at + c.chunkBytes)));
  }
  return chunks;
}

interface Row {
  case: string;
  impl: string;
  framesPerOp: number;
  bytesPerOp: number;
  baseline?: string;
}

// Rounds interleave the implementations in time, so a noisy neighbour hits both sides alike. The
// table reports each task's fastest iteration (noise only ever adds time, so on a shared machine it
// is the best estimate of the uncontended cost) and, for honesty, the ratio of median iterations.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1000);
const tasks: { name: string; fn: () => void }[] = [];
const rows = new Map<string, Row>();
let sink = 0;
const count: OnFrame = (frame) => {
  sink += frame.length;
};

function add(row: Row, fn: () => void): void {
  const name = `${row.case} | ${row.impl}`;
  rows.set(name, row);
  tasks.push({ name, fn });
}

for (const c of decodeCases) {
  const chunks = chunksFor(c);
  const row = {
    case: `decode ${c.name}`,
    framesPerOp: c.frames,
    bytesPerOp: c.frames * c.frameBytes,
  };
  const naiveName = `${row.case} | naive concat`;
  add({ ...row, impl: "naive concat" }, () => {
    const d = new NaiveDecoder();
    for (const chunk of chunks) d.push(chunk, count);
  });
  add({ ...row, impl: "parley", baseline: naiveName }, () => {
    const d = new LengthFieldDecoder({ maxFrameBytes: 2 * MiB });
    for (const chunk of chunks) d.push(chunk, count);
    d.end();
  });
}

for (const [label, size, n] of [
  ["64 B", 64, 16 * KiB],
  ["1 KiB", KiB, 4 * KiB],
  ["1 MiB", MiB, 8],
] as const) {
  const payloads = Array.from({ length: n }, () => Buffer.alloc(size, 0x62));
  const encoder = new LengthFieldEncoder({ maxFrameBytes: 2 * MiB });
  const row = { case: `encode ${label} payloads`, framesPerOp: n, bytesPerOp: n * size };
  const naiveName = `${row.case} | naive concat`;
  add({ ...row, impl: "naive concat" }, () => {
    for (const p of payloads) sink += naiveEncode(p).length;
  });
  add({ ...row, impl: "parley encode (copy)", baseline: naiveName }, () => {
    for (const p of payloads) sink += encoder.encode(p).length;
  });
  add({ ...row, impl: "parley encodeVectored (no copy)", baseline: naiveName }, () => {
    for (const p of payloads) sink += encoder.encodeVectored(p)[0].length;
  });
  if (size <= KiB) {
    add({ ...row, impl: "parley encodeBatch x64", baseline: naiveName }, () => {
      for (let i = 0; i < payloads.length; i += 64) {
        sink += encoder.encodeBatch(payloads.slice(i, i + 64)).length;
      }
    });
  }
}

/** Counts, outside the timed runs, how many times each spanning frame's bytes were copied. */
function copyCensus(c: DecodeCase) {
  const chunks = chunksFor(c);
  const chunkBuffers = new Set(chunks.map((ch) => ch.buffer));
  const originalSet = Uint8Array.prototype.set;
  let copiedBytes = 0;
  Uint8Array.prototype.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number) {
    copiedBytes += src.length;
    return originalSet.call(this, src, offset);
  } as typeof originalSet;
  let spanning = 0;
  let spanningBytes = 0;
  let exactBuffers = 0;
  const decoder = new LengthFieldDecoder({ maxFrameBytes: 2 * MiB });
  try {
    for (const chunk of chunks) {
      decoder.push(chunk, (frame) => {
        if (chunkBuffers.has(frame.buffer as ArrayBuffer)) return;
        spanning++; // a frame buffer the decoder allocated: the frame spanned chunks
        spanningBytes += frame.length;
        if (frame.buffer.byteLength === frame.length) exactBuffers++;
      });
    }
  } finally {
    Uint8Array.prototype.set = originalSet;
  }
  const naive = new NaiveDecoder();
  for (const chunk of chunks) naive.push(chunk, () => {});
  const totalBytes = c.frames * c.frameBytes;
  return {
    case: c.name,
    "spanning frames": `${spanning} of ${c.frames}`,
    "own exact-size buffer": `${exactBuffers} of ${spanning}`,
    // Bytes copied / spanning frame bytes; a split length field adds its 4 bytes (read via scratch).
    "parley copies per spanning frame": spanning ? (copiedBytes / spanningBytes).toFixed(3) : "-",
    "naive bytes copied per frame byte": (naive.copiedBytes / totalBytes).toFixed(1),
  };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

const best = new Map<string, number>(); // fastest iteration, ms
const medians = new Map<string, number[]>(); // median iteration of each round, ms
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 200 });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.run();
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== "completed") throw new Error(`${task.name}: ${r.state}`);
    best.set(task.name, Math.min(best.get(task.name) ?? Number.POSITIVE_INFINITY, r.latency.min));
    medians.set(task.name, [...(medians.get(task.name) ?? []), r.latency.p50]);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratio = (x: number, base: number | undefined) =>
  base === undefined ? "1.00x" : `${fmt(base / x, 2)}x`;
const table = tasks.map(({ name }) => {
  const row = rows.get(name)!;
  const ms = best.get(name)!;
  const perSecond = 1000 / ms;
  const baseName = row.baseline;
  return {
    case: row.case,
    impl: row.impl,
    "frames/s": fmt(perSecond * row.framesPerOp),
    "MB/s": fmt((perSecond * row.bytesPerOp) / 1e6),
    "vs naive": ratio(ms, baseName === undefined ? undefined : best.get(baseName)),
    "vs naive (medians)": ratio(
      median(medians.get(name)!),
      baseName === undefined ? undefined : median(medians.get(baseName)!),
    ),
  };
});

console.log(`@parley/framing micro-benchmark, ${new Date().toISOString().slice(0, 10)}`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"} x${cpus().length}`);
console.log(
  `${ROUNDS} rounds x ${TIME_MS} ms per task, fastest iteration; load average ${loadavg()[0]?.toFixed(1)}`,
);
console.table(table);
console.table(decodeCases.map(copyCensus));
if (sink === 42) console.log(""); // keeps the results observable so no work is optimised away
