// `npx tsx --conditions=@parley/source benchmarks/src/micro/large-echo.ts`: why a small-heap process
// wins the 64 KiB echo. Raw node:net's own echo server (the e2e baseline) answers the same 64 KiB
// echoes bare, with `@parley/rpc` imported and never used, and with 5 MB of plain objects kept
// alive; Parley's echo server answers them too, to its own client. Nothing in raw's request path
// differs between its variants; only the server's heap does. Each server runs one full collection
// after loading, as a long-running process has.
// Reported per variant (medians of interleaved rounds, each round a fresh server process): the old
// generation's size, Mark-Compact collections and minor page faults in the server, its CPU per
// call, the client's p50 and p99, and the calls per second.
// Flags: --calls=N per round (default 3000), --rounds=N (default 3), --payload=BYTES (default
// 65536), --concurrency=N echoes in flight (default 1: sequential), --transport=unix|tcp (default
// unix).
import { median } from "../e2e/medians.js";
import { system as parley } from "../systems/parley.js";
import { type EchoClient, type Endpoint, isCallbackClient } from "../systems/system.js";
import { numberFlag, tcpFlag } from "./cli.js";
import { startEchoServerChild, timeEchoes } from "./echo-server-child.js";

const CALLS = numberFlag("calls", 3000);
const ROUNDS = numberFlag("rounds", 3);
const PAYLOAD = numberFlag("payload", 65536);
const CONCURRENCY = numberFlag("concurrency", 1);
const TCP = tcpFlag();
const VARIANTS = {
  "raw server": "",
  "raw server + @parley/rpc imported": "@parley/rpc",
  "raw server + 5 MB of plain objects": "ballast:5",
  "Parley server (Parley client)": "parley",
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
  p99Us: number;
  callsPerSecond: number;
}

async function parleyClient(endpoint: Endpoint): Promise<EchoClient> {
  const hints = { concurrency: CONCURRENCY, payloadBytes: PAYLOAD };
  const client = await parley.createClient(endpoint, hints);
  if (isCallbackClient(client)) throw new Error("Parley's client is a promise client");
  return client;
}

async function round(preload: string): Promise<Round> {
  const path = TCP ? "tcp" : `/tmp/parley-micro-large-${process.pid}.sock`;
  const script = new URL("./large-echo-server.ts", import.meta.url);
  const connect = preload === "parley" ? parleyClient : undefined;
  const { client, ask, close } = await startEchoServerChild(script, path, [preload], connect);
  const payload = new Uint8Array(PAYLOAD).fill(7);
  await timeEchoes(client, payload, 500, undefined, CONCURRENCY);
  await ask("start");
  const began = performance.now();
  const latencies = await timeEchoes(client, payload, CALLS, undefined, CONCURRENCY);
  const callsPerSecond = (CALLS * 1000) / (performance.now() - began);
  const stats = await ask<ServerStats>("stop");
  await close();
  const at = (q: number) => latencies[Math.min(CALLS - 1, Math.floor(CALLS * q))]! * 1000;
  return { ...stats, p50Us: at(0.5), p99Us: at(0.99), callsPerSecond };
}

const results = new Map<string, Round[]>(Object.keys(VARIANTS).map((name) => [name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, preload] of Object.entries(VARIANTS))
    results.get(name)!.push(await round(preload));
}

console.log(
  `${CALLS} ${PAYLOAD}-byte echoes per round, ${CONCURRENCY} in flight, ` +
    `over ${TCP ? "loopback TCP" : "a Unix socket"}, ` +
    `Node ${process.version}, ` +
    `medians of ${ROUNDS} rounds\n`,
);
const columns = [
  "old gen MB",
  "Mark-Compacts",
  "page faults/call",
  "server CPU µs/call",
  "p50 µs",
  "p99 µs",
  "calls/s",
];
console.log(`${"server".padEnd(36)}${columns.map((c) => c.padStart(20)).join("")}`);
for (const [name, rounds] of results) {
  const cells = [
    (median(rounds.map((r) => r.oldGenBytes)) / 2 ** 20).toFixed(1),
    median(rounds.map((r) => r.majorGcs)).toFixed(0),
    median(rounds.map((r) => r.faults / CALLS)).toFixed(1),
    median(rounds.map((r) => r.cpuUs / CALLS)).toFixed(0),
    median(rounds.map((r) => r.p50Us)).toFixed(0),
    median(rounds.map((r) => r.p99Us)).toFixed(0),
    median(rounds.map((r) => r.callsPerSecond)).toFixed(0),
  ];
  console.log(`${name.padEnd(36)}${cells.map((c) => c.padStart(20)).join("")}`);
}
