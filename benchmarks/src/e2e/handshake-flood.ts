/**
 * Admission under a flood: a real client's call latency while another process holds `--connections`
 * half-open connections to the same loopback server (each sends 3 bytes of a length prefix, then
 * nothing; each one the server drops is reopened at once). Reports p50/p99/p99.9 of sequential
 * calls with and without the flood, the ratio, the client's connect time, and the drops.
 *
 * Run: npm run bench:flood -w @parley/benchmarks [-- --connections=5000 --calls=2000]
 * Bounded: loopback only, at most `--connections` sockets, for at most `--floodMs` (default 30 s).
 */
import { spawn } from "node:child_process";
import { connect as connectRaw, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { connect, defineContract, serve, z } from "@parley/rpc";

const contract = defineContract({
  name: "flood-bench",
  version: 1,
  requests: { echo: { input: z.string(), output: z.string() } },
});

function arg(name: string, fallback: number): number {
  const given = process.argv.find((a) => a.startsWith(`--${name}=`));
  return given === undefined ? fallback : Number(given.slice(name.length + 3));
}

/** The flooding side, run as a child process of the benchmark. */
function flood(port: number, connections: number, floodMs: number): void {
  const endAt = Date.now() + floodMs;
  const sockets = new Set<Socket>();
  let opened = 0;
  const open = (): void => {
    if (Date.now() >= endAt) return;
    opened++;
    const socket = connectRaw({ host: "127.0.0.1", port });
    sockets.add(socket);
    socket.on("connect", () => socket.write(Uint8Array.of(0, 0, 0)));
    socket.on("data", () => {});
    socket.on("error", () => {});
    socket.on("close", () => {
      sockets.delete(socket);
      setImmediate(open);
    });
  };
  for (let i = 0; i < connections; i++) open();
  console.log("flooding");
  const finish = (): void => {
    console.log(`opened ${opened}`);
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  };
  setTimeout(finish, floodMs).unref();
  process.on("SIGTERM", finish);
}

async function measureCalls(
  url: string,
  calls: number,
): Promise<{ connectMs: number; sorted: number[] }> {
  const started = performance.now();
  const client = await connect({ url, contract });
  const connectMs = performance.now() - started;
  const latencies: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await client.call.echo("ping");
    latencies.push(performance.now() - t);
  }
  await client.close();
  return { connectMs, sorted: latencies.sort((a, b) => a - b) };
}

const at = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
const ms = (value: number): string => `${value.toFixed(2)} ms`;

async function main(): Promise<void> {
  const connections = arg("connections", 5_000);
  const calls = arg("calls", 2_000);
  const floodMs = arg("floodMs", 30_000);
  // Bounded in time whatever happens: a run that has not finished by then is reported and ended.
  setTimeout(() => {
    console.error(`handshake-flood: no result within ${floodMs + 60_000} ms; giving up`);
    process.exit(1);
  }, floodMs + 60_000).unref();
  let drops = 0;
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract,
    handlers: { echo: (text: string) => text },
  });
  server.on("refuse", () => drops++);
  const port = Number(server.url.split(":").pop());
  const quiet = await measureCalls(server.url, calls);

  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      "--flood",
      String(port),
      String(connections),
      String(floodMs),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout! });
  const next = (): Promise<string> => new Promise((resolve) => lines.once("line", resolve));
  await next(); // "flooding"
  while (drops < connections) await new Promise((resolve) => setTimeout(resolve, 50));
  const dropsBefore = drops;
  const flooded = await measureCalls(server.url, calls);
  const dropsDuring = drops - dropsBefore;
  const summary = next();
  child.kill("SIGTERM");
  const opened = (await summary).replace("opened ", "");
  await server.close();

  console.log(`Node ${process.version}, ${calls} sequential calls, loopback tcp`);
  console.log(
    `flood: ${connections} half-open connections at once, ${opened} opened in all, ${dropsDuring} dropped by the server during the flooded run`,
  );
  console.log(`| run | connect | p50 | p99 | p99.9 |`);
  console.log(`| --- | --- | --- | --- | --- |`);
  for (const [name, r] of [
    ["quiet", quiet],
    ["flooded", flooded],
  ] as const) {
    console.log(
      `| ${name} | ${ms(r.connectMs)} | ${ms(at(r.sorted, 0.5))} | ${ms(at(r.sorted, 0.99))} | ${ms(at(r.sorted, 0.999))} |`,
    );
  }
  console.log(
    `p99 flooded / quiet: ${(at(flooded.sorted, 0.99) / at(quiet.sorted, 0.99)).toFixed(2)}`,
  );
}

if (process.argv[2] === "--flood") {
  const [port, connections, floodMs] = process.argv.slice(3).map(Number) as [
    number,
    number,
    number,
  ];
  flood(port, connections, floodMs);
} else {
  await main();
}
