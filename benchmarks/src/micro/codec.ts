/**
 * Codec micro-benchmark: encode and decode ops/s for a small object (10 fields), a ~1 KiB object and
 * a 64 KiB binary blob, msgpack and JSON in the same run; the share of the safety work (value check
 * before encode, structural scan before decode); and the cost of zod validation on the small object.
 *
 * Run: `npm run bench:codec` (`-- --quick` for a short run). Prints a markdown table.
 *
 * Each task runs its operation a calibrated number of times per sample (about 40 ms of work), so
 * timer overhead and clock resolution stay out of the figures. Samples are
 * timed in CPU time (process.cpuUsage: this process's user + system time, GC threads included), not
 * wall time, so other load on a shared machine does not count as codec time; `--wall` switches to
 * wall time. The whole set runs in several rounds. "fastest" is the fastest sample of all rounds
 * (noise only ever adds time, so it is the steadiest figure on a busy machine, and the ratios use
 * it); "median" is the median over rounds of each round's median sample.
 */

import { loadavg } from "node:os";
import {
  type Codec,
  createJsonCodec,
  createMsgpackCodec,
  DEFAULT_MAX_DEPTH,
  defineContract,
} from "@parley/codec";
import { MsgpackScanner, ValueChecker } from "@parley/codec/internal";
import { Bench } from "tinybench";
import { z } from "zod";

const quick = process.argv.includes("--quick");
const wall = process.argv.includes("--wall");
const ROUNDS = quick ? 1 : 5;

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

interface Row {
  readonly id: string;
  readonly group: string;
  readonly name: string;
  readonly fn: () => void;
}

const small = {
  id: 12345,
  method: "getUser",
  ok: true,
  ratio: 0.75,
  name: "Ada Lovelace",
  email: "ada@example.com",
  tags: ["admin", "ops"],
  createdAt: 1_700_000_000_000,
  score: -42,
  note: null,
};

const kib = {
  page: 3,
  total: 120,
  items: Array.from({ length: 9 }, (_, i) => ({
    id: 1000 + i,
    sku: `SKU-${i}-ABCDEF`,
    title: `Item number ${i} with a longer title`,
    price: 19.99 + i,
    inStock: i % 2 === 0,
    tags: ["new", "sale"],
  })),
};

const blobBytes = new Uint8Array(64 * 1024).map((_, i) => (i * 31) & 0xff);
const blob = { id: 7, data: blobBytes };
// JSON cannot carry bytes; a JSON peer would send base64 text, so that is what the JSON row encodes.
const blobJson = { id: 7, data: Buffer.from(blobBytes).toString("base64") };

// A body that is one byte string (a chunk, a pre-encoded payload): the msgpack codec's short path.
const bytes64 = new Uint8Array(64).map((_, i) => i);
const bytes64Json = Buffer.from(bytes64).toString("base64");

const msgpack = createMsgpackCodec();
const json = createJsonCodec();

const User = z.object({
  id: z.int(),
  method: z.string(),
  ok: z.boolean(),
  ratio: z.number(),
  name: z.string().min(1),
  email: z.email(),
  tags: z.array(z.string()),
  createdAt: z.number(),
  score: z.number(),
  note: z.string().nullable(),
});
const definition = {
  name: "bench",
  version: 1,
  requests: { getUser: { input: User, output: z.null() } },
} as const;
const compiled = defineContract(definition);
const interpreted = defineContract({ ...definition, compileSchemas: false });
const trusted = defineContract({ ...definition, validateInbound: false });

const PAYLOADS = [
  ["64 B bytes", bytes64, bytes64Json],
  ["small", small, small],
  ["1 KiB", kib, kib],
  ["64 KiB blob", blob, blobJson],
] as const;

function codecRows(codec: Codec, label: "msgpack" | "json"): Row[] {
  return PAYLOADS.flatMap(([group, value, jsonValue]) => {
    const input = label === "json" ? jsonValue : value;
    const bytes = codec.encode(input);
    return [
      {
        id: `${label} encode ${group}`,
        group,
        name: `${label} encode (${bytes.length} B)`,
        fn: () => codec.encode(input),
      },
      {
        id: `${label} decode ${group}`,
        group,
        name: `${label} decode`,
        fn: () => codec.decode(bytes),
      },
    ];
  });
}

function extraRows(): Row[] {
  const copying = createMsgpackCodec({ copyBinary: true });
  const blobMsgpack = msgpack.encode(blob);
  const scanner = new MsgpackScanner(DEFAULT_MAX_DEPTH);
  // As the msgpack codec builds it: spotting lone surrogates in strings and keys included.
  const checker = new ValueChecker(DEFAULT_MAX_DEPTH, "msgpack", "encode", true);
  // The same 64 bytes one level down, where the general path (value check + msgpackr, structural
  // scan + msgpackr) runs: what the short path saves.
  const wrapped = [bytes64];
  const wrappedBytes = msgpack.encode(wrapped);
  const rows: Row[] = [
    {
      id: "general encode 64 B bytes",
      group: "64 B bytes",
      name: `msgpack encode of [bytes] (${wrappedBytes.length} B, general path)`,
      fn: () => msgpack.encode(wrapped),
    },
    {
      id: "general decode 64 B bytes",
      group: "64 B bytes",
      name: "msgpack decode of [bytes] (general path)",
      fn: () => msgpack.decode(wrappedBytes),
    },
    {
      id: "copy",
      group: "64 KiB blob",
      name: "msgpack decode, copyBinary: true",
      fn: () => copying.decode(blobMsgpack),
    },
  ];
  // The safety passes on the objects (a byte string skips both).
  for (const [group, value] of PAYLOADS.filter(([g]) => g === "small" || g === "1 KiB")) {
    const bytes = msgpack.encode(value);
    rows.push(
      {
        id: `check ${group}`,
        group,
        name: "value check alone (part of msgpack encode)",
        fn: () => checker.check(value),
      },
      {
        id: `scan ${group}`,
        group,
        name: "structural scan alone (part of msgpack decode)",
        fn: () => scanner.scan(bytes),
      },
    );
  }
  return rows;
}

function validationRows(): Row[] {
  const bytes = msgpack.encode(small);
  const row = (id: string, name: string, fn: () => void): Row => ({
    id,
    group: "small",
    name,
    fn,
  });
  return [
    row("zod compiled", "zod parseInput, compiled (default)", () =>
      compiled.parseInput("getUser", small),
    ),
    row("zod interpreted", "zod parseInput, compileSchemas: false", () =>
      interpreted.parseInput("getUser", small),
    ),
    row("zod off", "parseInput, validateInbound: false", () =>
      trusted.parseInput("getUser", small),
    ),
    row("decode+zod", "msgpack decode + compiled parseInput", () =>
      compiled.parseInput("getUser", msgpack.decode(bytes)),
    ),
  ];
}

const rows: Row[] = [
  ...codecRows(msgpack, "msgpack"),
  ...codecRows(json, "json"),
  ...extraRows(),
  ...validationRows(),
];

// Repetitions per sample so that one sample is about SAMPLE_MS of CPU time: the CPU clock ticks
// coarsely (1 ms or more), so samples must be long for it to resolve them.
const SAMPLE_MS = quick ? 10 : 40;
const clock = wall ? () => performance.now() : cpuMs;
function calibrate(fn: () => void): number {
  let runs = 0;
  const start = clock();
  while (clock() - start < SAMPLE_MS) {
    for (let i = 0; i < 16; i++) fn();
    runs += 16;
  }
  return Math.max(1, Math.round((runs * SAMPLE_MS) / (clock() - start)));
}
const batches = rows.map((row) => calibrate(row.fn));

const perRound: number[][] = rows.map(() => []);
const fastest: number[] = rows.map(() => Number.POSITIVE_INFINITY);
const loadBefore = loadavg()[0]!;
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({
    now: clock,
    time: SAMPLE_MS * 6,
    iterations: 5,
    warmupTime: SAMPLE_MS,
    warmupIterations: 1,
  });
  rows.forEach((row, index) => {
    const batch = batches[index]!;
    bench.add(row.id, () => {
      for (let i = 0; i < batch; i++) row.fn();
    });
  });
  await bench.run();
  bench.tasks.forEach((task, index) => {
    const result = task.result;
    if (!("latency" in result)) return;
    perRound[index]!.push((result.latency.p50 * 1e6) / batches[index]!);
    fastest[index] = Math.min(fastest[index]!, (result.latency.min * 1e6) / batches[index]!);
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const nsFastest = new Map(rows.map((row, index) => [row.id, fastest[index]!]));
const nsMedian = new Map(rows.map((row, index) => [row.id, median(perRound[index]!)]));
const ns = (id: string) => nsFastest.get(id) ?? Number.NaN;
const nsMid = (id: string) => nsMedian.get(id) ?? Number.NaN;
const format = (value: number) => Math.round(value).toLocaleString("en-US");

const lines = [
  "| payload | operation | ops/s (fastest) | ns/op fastest | ns/op median |",
  "|---|---|---:|---:|---:|",
];
for (const row of rows) {
  lines.push(
    `| ${row.group} | ${row.name} | ${format(1e9 / ns(row.id))} | ${format(ns(row.id))} | ` +
      `${format(nsMid(row.id))} |`,
  );
}

// Each figure from the fastest samples, with the medians' figure in parentheses.
const percent = (part: string, whole: string) =>
  `${Math.round((ns(part) / ns(whole)) * 100)}% (${Math.round((nsMid(part) / nsMid(whole)) * 100)}%)`;
const ratio = (a: string, b: string) =>
  `${(ns(a) / ns(b)).toFixed(1)}x (${(nsMid(a) / nsMid(b)).toFixed(1)}x)`;
const summary = [
  `msgpack vs JSON, small: encode ${ratio("json encode small", "msgpack encode small")} as fast, ` +
    `decode ${ratio("json decode small", "msgpack decode small")}`,
  `msgpack vs JSON, 1 KiB: encode ${ratio("json encode 1 KiB", "msgpack encode 1 KiB")} as fast, ` +
    `decode ${ratio("json decode 1 KiB", "msgpack decode 1 KiB")}`,
  `msgpack vs JSON with base64, 64 KiB blob: encode ` +
    `${ratio("json encode 64 KiB blob", "msgpack encode 64 KiB blob")} as fast, ` +
    `decode ${ratio("json decode 64 KiB blob", "msgpack decode 64 KiB blob")}`,
  `64 B byte string, short path vs general path: encode ` +
    `${ratio("general encode 64 B bytes", "msgpack encode 64 B bytes")} as fast, decode ` +
    `${ratio("general decode 64 B bytes", "msgpack decode 64 B bytes")}`,
  `structural scan: ${percent("scan small", "msgpack decode small")} of msgpack decode (small), ` +
    `${percent("scan 1 KiB", "msgpack decode 1 KiB")} (1 KiB)`,
  `value check: ${percent("check small", "msgpack encode small")} of msgpack encode (small), ` +
    `${percent("check 1 KiB", "msgpack encode 1 KiB")} (1 KiB)`,
  `zod on the small object: compiled ${format(ns("zod compiled"))} ns, interpreted ` +
    `${format(ns("zod interpreted"))} ns (compiled ${ratio("zod interpreted", "zod compiled")} as fast); ` +
    `decode + compiled parseInput is ${percent("decode+zod", "msgpack decode small")} of decode alone`,
];

console.log(
  `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${ROUNDS} rounds, ` +
    `${wall ? "wall" : "CPU"} time, ` +
    `load average ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}\n`,
);
console.log(lines.join("\n"));
console.log(`\n${summary.map((line) => `- ${line}`).join("\n")}`);
