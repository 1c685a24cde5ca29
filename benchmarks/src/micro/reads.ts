// `npx tsx --conditions=@parley/source benchmarks/src/micro/reads.ts`: what reading a client socket
// into slabs (`onread`, as connectUnix does) saves against Node's default read path (a fresh buffer
// per read through the stream's `data` event). One client process, two client connections to the
// same Parley server process: one from connectUnix, one wrapping a plain `net.connect` socket in the
// same SocketConnection. Sequential calls (concurrency 1), rounds interleaved; the verdict is the
// median of per-round ratios, so the machine's drift between rounds cancels out.
// Flags: --payload=BYTES (default 64), --calls=N per round (default 10000), --rounds=N (default 15).
import { fork } from "node:child_process";
import { connect } from "node:net";
import { createPeer, type Peer } from "@parley/peer";
import { connectUnix, SocketConnection } from "@parley/transport-net";
import { median } from "../e2e/medians.js";
import { numberFlag } from "./cli.js";
import { readsContract } from "./reads-server.js";

const PAYLOAD = numberFlag("payload", 64);
const CALLS = numberFlag("calls", 10_000);
const ROUNDS = numberFlag("rounds", 15);
const PATH = `/tmp/parley-micro-reads-${process.pid}.sock`;

interface Round {
  p50Us: number;
  cpuUs: number;
}

function plainSocketConnection(): Promise<SocketConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(PATH, () => resolve(new SocketConnection(socket, { kind: "unix" })));
    socket.once("error", reject);
  });
}

async function peerOver(connection: SocketConnection): Promise<Peer> {
  const peer = createPeer(connection, { calls: readsContract } as never) as unknown as Peer;
  await peer.ready;
  return peer;
}

async function round(peer: Peer, payload: Uint8Array): Promise<Round> {
  const latencies = new Float64Array(CALLS);
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    const sent = performance.now();
    await peer.request("echo", payload);
    latencies[i] = performance.now() - sent;
  }
  const cpu = process.cpuUsage(start);
  latencies.sort();
  return { p50Us: latencies[CALLS >> 1]! * 1000, cpuUs: (cpu.user + cpu.system) / CALLS };
}

const server = fork(new URL("./reads-server.ts", import.meta.url).pathname, [PATH], {
  execArgv: process.execArgv,
});
await new Promise((resolve) => server.once("message", resolve));
const systems = {
  "slab reads (connectUnix)": await peerOver(await connectUnix({ path: PATH })),
  "data events (net.connect)": await peerOver(await plainSocketConnection()),
};
const payload = new Uint8Array(PAYLOAD).fill(7);
const rounds = new Map<string, Round[]>(Object.keys(systems).map((name) => [name, []]));
for (const peer of Object.values(systems)) await round(peer, payload);
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, peer] of Object.entries(systems))
    rounds.get(name)!.push(await round(peer, payload));
}

const [slab, plain] = [...rounds.values()] as [Round[], Round[]];
const ratio = (pick: (r: Round) => number) => median(slab.map((r, i) => pick(r) / pick(plain[i]!)));
console.log(
  `client reads, Node ${process.version}: ${ROUNDS} interleaved rounds of ${CALLS} sequential ` +
    `calls, ${PAYLOAD}-byte Uint8Array echo over a Unix socket\n`,
);
console.log(
  `${"client connection".padEnd(28)}${"p50 µs".padStart(10)}${"CPU µs/call".padStart(14)}`,
);
for (const [name, list] of rounds) {
  const p50 = median(list.map((r) => r.p50Us)).toFixed(1);
  const cpu = median(list.map((r) => r.cpuUs)).toFixed(1);
  console.log(`${name.padEnd(28)}${p50.padStart(10)}${cpu.padStart(14)}`);
}
console.log(
  `\nslab / data events, median of per-round ratios: p50 ${ratio((r) => r.p50Us).toFixed(3)}, ` +
    `CPU per call ${ratio((r) => r.cpuUs).toFixed(3)}`,
);
for (const peer of Object.values(systems)) await peer.close();
server.send("stop");
