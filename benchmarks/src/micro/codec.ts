/**
 * Codec micro-benchmark: encode and decode ops/s for a small object (10 fields), a ~1 KiB object and
 * a 64 KiB binary blob, msgpack and JSON in the same run; the share of the safety work (value check
 * before encode, structural scan before decode); and the cost of zod validation on the small object.
 *
 * Run: `npm run bench:codec` (add `--quick` for a shorter run). Prints a markdown table.
 * Each task runs its operation `batch` times per sample, so timer overhead stays out of the numbers.
 */

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

interface Row {
  readonly group: string;
  readonly name: string;
  readonly batch: number;
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

function codecRows(
  codec: Codec,
  label: string,
  payloads: Record<string, [unknown, number]>,
): Row[] {
  const rows: Row[] = [];
  for (const [size, [value, batch]] of Object.entries(payloads)) {
    const bytes = codec.encode(value);
    rows.push({
      group: size,
      name: `${label} encode (${bytes.length} B)`,
      batch,
      fn: () => codec.encode(value),
    });
    rows.push({ group: size, name: `${label} decode`, batch, fn: () => codec.decode(bytes) });
  }
  return rows;
}

function safetyRows(): Row[] {
  const scanner = new MsgpackScanner(DEFAULT_MAX_DEPTH);
  const checker = new ValueChecker(DEFAULT_MAX_DEPTH, "msgpack", "encode");
  const rows: Row[] = [];
  for (const [size, value, batch] of [
    ["small", small, 2000],
    ["1 KiB", kib, 500],
  ] as const) {
    const bytes = msgpack.encode(value);
    rows.push({
      group: size,
      name: "msgpack value check alone (part of encode)",
      batch,
      fn: () => checker.check(value),
    });
    rows.push({
      group: size,
      name: "msgpack scan alone (part of decode)",
      batch,
      fn: () => scanner.scan(bytes),
    });
  }
  return rows;
}

function copyRows(): Row[] {
  const copying = createMsgpackCodec({ copyBinary: true });
  const bytes = msgpack.encode(blob);
  return [
    {
      group: "64 KiB blob",
      name: "msgpack decode, copyBinary: true",
      batch: 20,
      fn: () => copying.decode(bytes),
    },
  ];
}

function validationRows(): Row[] {
  const bytes = msgpack.encode(small);
  return [
    {
      group: "zod",
      name: "parseInput, compiled schema (default)",
      batch: 1000,
      fn: () => compiled.parseInput("getUser", small),
    },
    {
      group: "zod",
      name: "parseInput, compileSchemas: false",
      batch: 1000,
      fn: () => interpreted.parseInput("getUser", small),
    },
    {
      group: "zod",
      name: "parseInput, validateInbound: false",
      batch: 1000,
      fn: () => trusted.parseInput("getUser", small),
    },
    {
      group: "zod",
      name: "msgpack decode + compiled parseInput",
      batch: 1000,
      fn: () => compiled.parseInput("getUser", msgpack.decode(bytes)),
    },
  ];
}

const rows: Row[] = [
  ...codecRows(msgpack, "msgpack", {
    small: [small, 2000],
    "1 KiB": [kib, 500],
    "64 KiB blob": [blob, 20],
  }),
  ...codecRows(json, "json", {
    small: [small, 2000],
    "1 KiB": [kib, 500],
    "64 KiB blob": [blobJson, 20],
  }),
  ...copyRows(),
  ...safetyRows(),
  ...validationRows(),
];

const bench = new Bench({ time: quick ? 200 : 1000, warmupTime: quick ? 50 : 200 });
for (const row of rows) {
  bench.add(`${row.group}|${row.name}`, () => {
    for (let i = 0; i < row.batch; i++) row.fn();
  });
}
await bench.run();

const lines = ["| payload | operation | ops/s | ns/op | ± |", "|---|---|---:|---:|---:|"];
rows.forEach((row, index) => {
  const task = bench.tasks[index];
  const result = task?.result;
  if (!result || !("throughput" in result)) {
    lines.push(`| ${row.group} | ${row.name} | failed | | |`);
    return;
  }
  // period: mean milliseconds per sample (one batch); ops/s and ns/op both derive from it.
  const opsPerSecond = (row.batch * 1000) / result.period;
  const nsPerOp = (result.period * 1e6) / row.batch;
  lines.push(
    `| ${row.group} | ${row.name} | ${Math.round(opsPerSecond).toLocaleString("en-US")} | ` +
      `${nsPerOp.toFixed(0)} | ${result.latency.rme.toFixed(1)}% |`,
  );
});
console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(lines.join("\n"));
