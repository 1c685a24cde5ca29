// `npx tsx --conditions=@parley/source src/micro/client-calls.ts`: what an `@parley/rpc` client's
// call costs in three common setups against a plain call (no options, `reconnect` off): with
// `reconnect` on, with one AbortSignal passed to every call (a service's shutdown signal), and
// with a W3C traceparent in every call's metadata (a traced fleet). The clients call one server in
// a child process over a Unix socket, 256 calls in flight, rounds alternated with the plain
// client's, and the figures are the client process's CPU. No setup should make each call pay much:
// a reconnecting client for the retry it rarely needs, a shared signal for a listener per call,
// metadata for more than its bytes.
// Flags: --calls=N (per round, default 100000), --rounds=N (default 8), --payload=BYTES (default 64).
import { fork } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Client, connect, defineContract, serve, z } from "@parley/rpc";
import { numberFlag, stringFlag } from "./cli.js";

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
type CallOptions = { signal?: AbortSignal; metadata?: Record<string, string> };

/** CPU µs per call of one round: `CALLS` calls, `CONCURRENCY` at a time. */
async function round(
  client: EchoClient,
  payload: Uint8Array<ArrayBuffer>,
  options?: CallOptions,
): Promise<number> {
  const start = process.cpuUsage();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < CALLS) await client.call.echo(payload, options);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / CALLS;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** The echo server, in a child process of its own: the figures are the client process's CPU. */
async function serveChild(path: string): Promise<void> {
  const server = await serve({
    url: `unix://${path}`,
    contract,
    handlers: { echo: (input: Uint8Array<ArrayBuffer>) => input },
  });
  process.once("message", () => void server.close().then(() => process.exit(0)));
  process.send?.("listening");
}

const served = stringFlag("serve");
if (served !== undefined) {
  await serveChild(served);
} else {
  const path = `/tmp/parley-micro-client-${process.pid}.sock`;
  const child = fork(fileURLToPath(import.meta.url), [`--serve=${path}`], {
    execArgv: process.execArgv,
  });
  await once(child, "message");
  const url = `unix://${path}`;
  const plain = await connect({ url, contract });
  const reconnecting = await connect({ url, contract, reconnect: true });
  const shutdown = new AbortController();
  /** The cases, each against the plain client in the same round. */
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const cases: { label: string; client: EchoClient; options?: CallOptions }[] = [
    { label: "reconnect on", client: reconnecting },
    { label: "one signal for all calls", client: plain, options: { signal: shutdown.signal } },
    { label: "a traceparent per call", client: plain, options: { metadata: { traceparent } } },
  ];
  const payload = new Uint8Array(PAYLOAD).map((_, i) => i & 0xff);
  await round(plain, payload);
  for (const c of cases) await round(c.client, payload, c.options);
  console.log(
    `@parley/rpc client calls, Node ${process.version}: ${ROUNDS} rounds of ${CALLS} calls, ` +
      `${CONCURRENCY} in flight, ${PAYLOAD}-byte echo over a Unix socket to a server in a child ` +
      "process; the client's CPU µs per call\n",
  );
  for (const c of cases) {
    const base: number[] = [];
    const measured: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so neither always runs on the heap the other left.
      const x = r % 2 === 0 ? await round(plain, payload) : 0;
      const y = await round(c.client, payload, c.options);
      const z = r % 2 === 0 ? x : await round(plain, payload);
      base.push(z);
      measured.push(y);
      ratios.push(y / z);
    }
    console.log(
      `${c.label.padEnd(26)} ${median(measured).toFixed(2)} against ${median(base).toFixed(2)}: ` +
        `${median(ratios).toFixed(2)}x (median of per-round ratios)`,
    );
  }
  await Promise.all([plain.close(), reconnecting.close()]);
  child.send("close");
  await once(child, "exit");
  rmSync(path, { force: true });
}
