// `npx tsx --conditions=@parley/source benchmarks/src/micro/large-alloc.ts`: bytes each side
// allocates per 64 KiB echo through @parley/rpc (client here, server in its own process), against
// the goal of at most 1.25x the payload per side. A window counts V8 heap growth plus ArrayBuffer
// (Buffer backing store) growth over `--calls` calls; a window in which any collection ran is
// thrown away and measured again, so nothing allocated in it has been freed before it is counted.
// Reported: the median of `--windows` clean windows, in bytes per call and in payloads per call.
// Flags: --payload=BYTES (default 65536), --calls=N per window (default 40), --windows=N (default 7),
// --concurrency=N calls in flight (default 1), --transport=unix|tcp (default unix).
import { fork } from "node:child_process";
import { once } from "node:events";
import { connect } from "@parley/rpc";
import { median } from "../e2e/medians.js";
import { numberFlag, tcpFlag } from "./cli.js";
import { AllocationMeter, allocContract } from "./large-alloc-server.js";

const PAYLOAD = numberFlag("payload", 65536);
const CALLS = numberFlag("calls", 40);
const WINDOWS = numberFlag("windows", 7);
const CONCURRENCY = numberFlag("concurrency", 1);
const TCP = tcpFlag();
const MAX_TRIES = 200;

const server = fork(
  new URL("./large-alloc-server.ts", import.meta.url).pathname,
  [TCP ? "tcp" : "unix"],
  {
    execArgv: [...process.execArgv, "--expose-gc"],
  },
);
const [url] = (await once(server, "message")) as [string];
const ask = async <T>(message: string): Promise<T> => {
  server.send(message);
  return (await once(server, "message"))[0] as T;
};
const client = await connect({ url, contract: allocContract });
const payload = new Uint8Array(PAYLOAD).map((_, i) => (i * 31 + 7) & 0xff);

async function calls(count: number): Promise<void> {
  for (let done = 0; done < count; done += CONCURRENCY) {
    const batch: Promise<Uint8Array>[] = [];
    for (let i = 0; i < Math.min(CONCURRENCY, count - done); i++)
      batch.push(client.call.echo(payload));
    for (const reply of await Promise.all(batch)) {
      if (reply.byteLength !== PAYLOAD) throw new Error(`echo returned ${reply.byteLength} bytes`);
    }
  }
}

await calls(500); // warm-up: every path compiled, every pool and slab in use
const meter = new AllocationMeter();
const clientBytes: number[] = [];
const serverBytes: number[] = [];
let tries = 0;
while (clientBytes.length < WINDOWS && tries++ < MAX_TRIES) {
  await ask("start"); // the server collects and starts its meter
  meter.start();
  await calls(CALLS);
  const [mine, theirs] = await Promise.all([meter.stop(), ask<number | null>("stop")]);
  if (mine === null || theirs === null) continue; // a collection ran: measure again
  clientBytes.push(mine / CALLS);
  serverBytes.push(theirs / CALLS);
}

console.log(
  `bytes allocated per ${PAYLOAD}-byte echo through @parley/rpc, Node ${process.version}, ` +
    `${TCP ? "TCP" : "Unix socket"}, concurrency ${CONCURRENCY}: median of ${clientBytes.length} ` +
    `windows of ${CALLS} calls without a collection (${tries} tried)\n`,
);
for (const [side, list] of [
  ["client", clientBytes],
  ["server", serverBytes],
] as const) {
  if (list.length === 0) {
    console.log(`${side}: no window without a collection; raise --windows or lower --calls`);
    continue;
  }
  const bytes = median(list);
  const spread = `${(Math.min(...list) / PAYLOAD).toFixed(2)}-${(Math.max(...list) / PAYLOAD).toFixed(2)}`;
  console.log(
    `${side.padEnd(8)}${Math.round(bytes).toString().padStart(10)} B/call  ${(bytes / PAYLOAD).toFixed(2)}x the payload (windows ${spread}x; goal <= 1.25x)`,
  );
}
await client.close();
server.send("exit");
await once(server, "exit");
