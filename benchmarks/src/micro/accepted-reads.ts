// `npx tsx --conditions=@parley/source benchmarks/src/micro/accepted-reads.ts`: the cheapest way
// for an accepted socket (which Node creates without `onread`) to read large frames. A raw
// length-prefixed echo server reads one of three ways (see accepted-reads-server.ts): `data`
// events (Node's default, and what transport-net's listeners do today), its handle re-wrapped
// with `onread` into slabs plus an assembly copy (what connected sockets do), and re-wrapped with
// `onread` reading each body straight into a buffer of exactly its size. Reported per path: the
// server's CPU and bytes allocated per call (windows with a collection are measured again), and
// the client's p50. Servers interleaved, one fresh process per round.
// Flags: --payload=BYTES (default 65536), --calls=N per round (default 40), --rounds=N (default 7).
import { median } from "../e2e/medians.js";
import { READ_PATHS, type ReadPath } from "./accepted-reads-server.js";
import { numberFlag } from "./cli.js";
import { startEchoServerChild, timeEchoes } from "./echo-server-child.js";

const PAYLOAD = numberFlag("payload", 65536);
const CALLS = numberFlag("calls", 40);
const ROUNDS = numberFlag("rounds", 7);
const MAX_TRIES = 20;

interface Round {
  bytes: number;
  cpuUs: number;
  p50Us: number;
}

async function round(how: ReadPath): Promise<Round | undefined> {
  const path = `/tmp/parley-micro-accepted-${process.pid}.sock`;
  const script = new URL("./accepted-reads-server.ts", import.meta.url);
  const { client, ask, close } = await startEchoServerChild(script, path, [how]);
  const payload = new Uint8Array(PAYLOAD).fill(7);
  for (let i = 0; i < 300; i++) await client.echo(payload);
  let result: Round | undefined;
  for (let tries = 0; result === undefined && tries < MAX_TRIES; tries++) {
    await ask("start");
    const latencies = await timeEchoes(client, payload, CALLS, (reply) => {
      if (reply.byteLength !== PAYLOAD) throw new Error(`${how}: ${reply.byteLength} bytes back`);
    });
    const stats = await ask<{ bytes: number | null; cpuUs: number }>("stop");
    if (stats.bytes !== null) {
      result = {
        bytes: stats.bytes / CALLS,
        cpuUs: stats.cpuUs / CALLS,
        p50Us: latencies[CALLS >> 1]! * 1000,
      };
    }
  }
  await close();
  return result;
}

const results = new Map<ReadPath, Round[]>(READ_PATHS.map((how) => [how, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const how of READ_PATHS) {
    const measured = await round(how);
    if (measured !== undefined) results.get(how)!.push(measured);
  }
}

console.log(
  `${PAYLOAD}-byte echoes to a raw node:net server over a Unix socket, Node ${process.version}: ` +
    `medians of ${ROUNDS} interleaved rounds of ${CALLS} sequential calls (server side figures)\n`,
);
const columns = ["server B/call", "x payload", "server CPU µs/call", "client p50 µs"];
console.log(
  `${"accepted socket reads by".padEnd(26)}${columns.map((c) => c.padStart(20)).join("")}`,
);
for (const [how, rounds] of results) {
  if (rounds.length === 0) {
    console.log(`${how.padEnd(26)}no round without a collection`);
    continue;
  }
  const bytes = median(rounds.map((r) => r.bytes));
  const cells = [
    Math.round(bytes).toString(),
    (bytes / PAYLOAD).toFixed(2),
    median(rounds.map((r) => r.cpuUs)).toFixed(1),
    median(rounds.map((r) => r.p50Us)).toFixed(0),
  ];
  console.log(`${how.padEnd(26)}${cells.map((c) => c.padStart(20)).join("")}`);
}
