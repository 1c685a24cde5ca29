// `npx tsx --conditions=@parley/source benchmarks/src/micro/large-echo.ts`: why a small-heap process
// wins the 64 KiB echo at concurrency 1. Raw node:net's own echo server (the e2e baseline) answers
// the same sequential 64 KiB echoes bare, with `@parley/rpc` imported and never used, and with
// 5 MB of plain objects kept alive. Nothing in the request path differs; only the server's heap
// does. Each server runs one full collection after loading, as a long-running process has.
// Reported per variant (medians of interleaved rounds, each round a fresh server process): the old
// generation's size, Mark-Compact collections and minor page faults in the server, its CPU per
// call, and the client's p50.
// Flags: --calls=N per round (default 3000), --rounds=N (default 3), --payload=BYTES (default 65536).
import { median } from "../e2e/medians.js";
import { numberFlag } from "./cli.js";
import { startEchoServerChild, timeEchoes } from "./echo-server-child.js";

const CALLS = numberFlag("calls", 3000);
const ROUNDS = numberFlag("rounds", 3);
const PAYLOAD = numberFlag("payload", 65536);
const VARIANTS = {
  "raw server": "",
  "raw server + @parley/rpc imported": "@parley/rpc",
  "raw server + 5 MB of plain objects": "ballast:5",
};

interface ServerStats {
  majorGcs: number;
  faults: number;
  cpuUs: number;
  /** Old generation in use after the window, after a full collection. */
  oldGenBytes: number;
}

interface Round extends ServerStats {
  p50Us: number;
}

async function round(preload: string): Promise<Round> {
  const path = `/tmp/parley-micro-large-${process.pid}.sock`;
  const script = new URL("./large-echo-server.ts", import.meta.url);
  const { client, ask, close } = await startEchoServerChild(script, path, [preload]);
  const payload = new Uint8Array(PAYLOAD).fill(7);
  for (let i = 0; i < 500; i++) await client.echo(payload);
  await ask("start");
  const latencies = await timeEchoes(client, payload, CALLS);
  const stats = await ask<ServerStats>("stop");
  await close();
  return { ...stats, p50Us: latencies[CALLS >> 1]! * 1000 };
}

const results = new Map<string, Round[]>(Object.keys(VARIANTS).map((name) => [name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, preload] of Object.entries(VARIANTS))
    results.get(name)!.push(await round(preload));
}

console.log(
  `${CALLS} sequential ${PAYLOAD}-byte echoes per round over a Unix socket, Node ${process.version}, ` +
    `medians of ${ROUNDS} rounds\n`,
);
const columns = ["old gen MB", "Mark-Compacts", "page faults/call", "server CPU µs/call", "p50 µs"];
console.log(`${"server".padEnd(36)}${columns.map((c) => c.padStart(20)).join("")}`);
for (const [name, rounds] of results) {
  const cells = [
    (median(rounds.map((r) => r.oldGenBytes)) / 2 ** 20).toFixed(1),
    median(rounds.map((r) => r.majorGcs)).toFixed(0),
    median(rounds.map((r) => r.faults / CALLS)).toFixed(1),
    median(rounds.map((r) => r.cpuUs / CALLS)).toFixed(0),
    median(rounds.map((r) => r.p50Us)).toFixed(0),
  ];
  console.log(`${name.padEnd(36)}${cells.map((c) => c.padStart(20)).join("")}`);
}
