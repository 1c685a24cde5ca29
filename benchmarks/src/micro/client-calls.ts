// `npx tsx --conditions=@parley/source src/micro/client-calls.ts`: what an `@parley/rpc` client's
// call costs with `reconnect` off (the default) and on, the two clients calling one server in this
// process over Unix sockets, 256 calls in flight, rounds alternated between them. A reconnecting
// client must not make every call pay for the retry it will rarely need: its figure should match
// the plain client's. Both ends run here, so a figure is the whole round trip's CPU; the
// difference between the two is the client's.
// Flags: --calls=N (per round, default 100000), --rounds=N (default 8), --payload=BYTES (default 64).
import { rmSync } from "node:fs";
import { type Client, connect, defineContract, serve, z } from "@parley/rpc";
import { numberFlag } from "./cli.js";

const CALLS = numberFlag("calls", 100_000);
const ROUNDS = numberFlag("rounds", 8);
const PAYLOAD = numberFlag("payload", 64);
const CONCURRENCY = 256;

const bytes = z.instanceof(Uint8Array);
const contract = defineContract({
  name: "client-calls",
  version: 1,
  requests: { echo: { input: bytes, output: bytes } },
});
type EchoClient = Client<typeof contract>;

/** CPU µs per call of one round: `CALLS` calls, `CONCURRENCY` at a time. */
async function round(client: EchoClient, payload: Uint8Array<ArrayBuffer>): Promise<number> {
  const start = process.cpuUsage();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < CALLS) await client.call.echo(payload);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / CALLS;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const path = `/tmp/parley-micro-client-${process.pid}.sock`;
const server = await serve({
  url: `unix://${path}`,
  contract,
  handlers: { echo: (input: Uint8Array<ArrayBuffer>) => input },
});
const plain = await connect({ url: server.url, contract });
const reconnecting = await connect({ url: server.url, contract, reconnect: true });
const payload = new Uint8Array(PAYLOAD).map((_, i) => i & 0xff);
await round(plain, payload);
await round(reconnecting, payload);
const off: number[] = [];
const on: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which goes first, so neither always runs on the heap the other left.
  const first = r % 2 === 0 ? plain : reconnecting;
  const a = await round(first, payload);
  const b = await round(first === plain ? reconnecting : plain, payload);
  const [x, y] = first === plain ? [a, b] : [b, a];
  off.push(x);
  on.push(y);
  ratios.push(y / x);
}
console.log(
  `@parley/rpc client calls, Node ${process.version}: ${ROUNDS} rounds of ${CALLS} calls, ` +
    `${CONCURRENCY} in flight, ${PAYLOAD}-byte echo over a Unix socket; CPU µs per call (both ends)\n`,
);
console.log(`reconnect off            ${median(off).toFixed(2)}`);
console.log(`reconnect on             ${median(on).toFixed(2)}`);
console.log(`on / off                 ${median(ratios).toFixed(2)}x (median of per-round ratios)`);
await Promise.all([plain.close(), reconnecting.close()]);
await server.close();
rmSync(path, { force: true });
