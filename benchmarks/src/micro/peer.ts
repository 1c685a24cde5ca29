// `npx tsx --conditions=@parley/source benchmarks/src/micro/peer.ts`: the @parley/peer engine in one
// process over a real Unix socket pair, against raw node:net with the same length-prefix framing and
// batched writes on the same kind of socket. It also measures the choices the engine made:
//   - when the batch of a turn is flushed (queueMicrotask vs setImmediate vs process.nextTick);
//   - what p-queue costs per handler;
//   - what decoding a method name costs (would interning names as ids pay?).
// Ratios, not absolute numbers, are the point: the machine is shared and noisy.
// Flags: --quick (smaller runs), --rounds=N (interleaved rounds, default 5, 3 with --quick).
import { once } from "node:events";
import { rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import type { Connection, ConnectionHandlers } from "@parley/framing";
import { createPeer, type Peer } from "@parley/peer";
import type { FlushScheduler } from "@parley/peer/internal";
import PQueue from "p-queue";
import { numberFlag } from "./cli.js";

const SOCKET = `/tmp/parley-micro-peer-${process.pid}.sock`;
const quick = process.argv.includes("--quick");
const SEQUENTIAL_CALLS = quick ? 2_000 : 5_000;
const CONCURRENT_CALLS = quick ? 20_000 : 50_000;
const CONCURRENCY = 256;

/** Minimal Connection over a net.Socket: one corked batch per write. */
class BenchSocketConnection implements Connection {
  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
  }
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }
  readonly remoteAddress = "bench";
  readonly localAddress = "bench";
  write(chunks: readonly Uint8Array[]): boolean {
    this.socket.cork();
    let ok = true;
    for (const chunk of chunks) ok = this.socket.write(chunk);
    this.socket.uncork();
    return ok;
  }
  end(): void {
    this.socket.end();
  }
  reset(): void {
    this.socket.destroy();
  }
  pause(): void {
    this.socket.pause();
  }
  resume(): void {
    this.socket.resume();
  }
  attach(h: ConnectionHandlers): void {
    this.socket.on("data", h.onData);
    this.socket.on("end", h.onEnd);
    this.socket.on("drain", h.onDrain);
    this.socket.on("error", () => {});
    this.socket.on("close", () => h.onClose());
  }
}

async function socketPair(server: Server): Promise<[Socket, Socket]> {
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = connect(SOCKET);
  await once(client, "connect");
  const [serverSide] = await accepted;
  return [client, serverSide];
}

interface Result {
  seqP50Us: number;
  concReqPerSec: number;
  /** CPU time of the whole process (both sides) per concurrent call: robust on a loaded machine. */
  concCpuUsPerCall: number;
}

async function measure(call: (payload: Uint8Array) => Promise<unknown>): Promise<Result> {
  const small = new Uint8Array(64);
  const latencies: number[] = [];
  for (let i = 0; i < 500; i++) await call(small); // warm-up
  for (let i = 0; i < SEQUENTIAL_CALLS; i++) {
    const t = performance.now();
    await call(small);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const kib = new Uint8Array(1024);
  let left = CONCURRENT_CALLS;
  const worker = async () => {
    while (left-- > 0) await call(kib);
  };
  const concStart = performance.now();
  const cpuStart = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const concMs = performance.now() - concStart;
  const concCpuUsPerCall = cpuNs(cpuStart) / 1000 / CONCURRENT_CALLS;
  return {
    seqP50Us: latencies[Math.floor(latencies.length / 2)]! * 1000,
    concReqPerSec: (CONCURRENT_CALLS / concMs) * 1000,
    concCpuUsPerCall,
  };
}

async function parleyRun(server: Server, scheduler: FlushScheduler): Promise<Result> {
  const [a, b] = await socketPair(server);
  const serving = createPeer(new BenchSocketConnection(b), {
    flushScheduler: scheduler,
    side: "server",
    handlers: { echo: (v: unknown) => v },
    maxConcurrentHandlers: 512,
  });
  const client: Peer = createPeer(new BenchSocketConnection(a), { flushScheduler: scheduler });
  await client.ready;
  const result = await measure((payload) => client.request("echo", payload));
  await client.close();
  await serving.closed;
  return result;
}

/** Raw node:net: 4-byte length prefix, the server echoes each frame, writes batched per turn. */
async function rawRun(server: Server): Promise<Result> {
  const [a, b] = await socketPair(server);
  for (const s of [a, b]) s.setNoDelay(true);
  framed(b, (frame, send) => send(frame));
  const pending: ((v: Uint8Array) => void)[] = [];
  const send = framed(a, (frame) => pending.shift()!(frame));
  const result = await measure(
    (payload) =>
      new Promise((resolve) => {
        pending.push(resolve);
        send(payload);
      }),
  );
  a.destroy();
  b.destroy();
  return result;
}

/** Length-prefix framing on `socket`; returns a sender that batches frames per microtask. */
function framed(
  socket: Socket,
  onFrame: (frame: Uint8Array, send: (p: Uint8Array) => void) => void,
) {
  let backlog: Buffer = Buffer.alloc(0);
  let batch: Uint8Array[] = [];
  const send = (payload: Uint8Array) => {
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(payload.length, 0);
    if (batch.length === 0) {
      queueMicrotask(() => {
        socket.cork();
        for (const chunk of batch) socket.write(chunk);
        socket.uncork();
        batch = [];
      });
    }
    batch.push(header, payload);
  };
  socket.on("data", (chunk: Buffer) => {
    backlog = backlog.length === 0 ? chunk : Buffer.concat([backlog, chunk]);
    let at = 0;
    while (backlog.length - at >= 4) {
      const n = backlog.readUInt32BE(at);
      if (backlog.length - at < 4 + n) break;
      onFrame(backlog.subarray(at + 4, at + 4 + n), send);
      at += 4 + n;
    }
    backlog = backlog.subarray(at);
  });
  return send;
}

/**
 * CPU ns per call of `fn` over `n` calls: a plain loop (tinybench's per-sample overhead is larger
 * than these) timed by process.cpuUsage(), which a loaded machine disturbs far less than wall time.
 */
async function nsPerOp(n: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < n / 10; i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  return cpuNs(start) / n;
}

function syncNsPerOp(n: number, fn: () => unknown): number {
  for (let i = 0; i < n / 10; i++) fn();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  return cpuNs(start) / n;
}

function cpuNs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) * 1000;
}

async function pQueueCost(): Promise<void> {
  const queue = new PQueue({ concurrency: 256 });
  const task = () => Promise.resolve(1);
  const n = quick ? 50_000 : 200_000;
  const direct = median([await nsPerOp(n, task), await nsPerOp(n, task), await nsPerOp(n, task)]);
  const add = () => queue.add(task);
  const queued = median([await nsPerOp(n, add), await nsPerOp(n, add), await nsPerOp(n, add)]);
  console.log("\nhandler scheduling, one task at a time (median of 3)");
  console.log(`  await handler()                          ${direct.toFixed(0).padStart(7)} ns/op`);
  console.log(`  await queue.add(handler) (p-queue)       ${queued.toFixed(0).padStart(7)} ns/op`);
}

async function methodNameCost(): Promise<void> {
  const { FrameEncoder, FrameParser, Kind } = await import("@parley/peer/internal");
  const codec = {
    name: "x",
    encode: () => new Uint8Array(0),
    encodeReserved: (_v: unknown, n: number) => new Uint8Array(n),
    decode: () => undefined,
  };
  const request = (method: string) =>
    new FrameEncoder(codec)
      .encode({
        kind: Kind.Request,
        id: 1,
        timeoutMs: 1000,
        method,
        metadata: undefined,
        body: undefined,
      })
      .subarray(4);
  const parser = new FrameParser(codec);
  const n = quick ? 500_000 : 2_000_000;
  const short = request("add");
  const long = request("getUserProfileSettings");
  const idOnly = Uint8Array.of(3, 0, 0, 0, 0, 1, 0, 0, 3, 232, 0, 7);
  console.log("\nmethod names on the wire: parsing a Request header (no body)");
  for (const [label, frame] of [
    ["3-char method name", short],
    ["22-char method name", long],
  ] as const) {
    const ns = median([0, 1, 2].map(() => syncNsPerOp(n, () => parser.parse(frame))));
    console.log(`  ${label.padEnd(40)} ${ns.toFixed(0).padStart(7)} ns/op`);
  }
  let sink = 0;
  const ns = median(
    [0, 1, 2].map(() => syncNsPerOp(n, () => (sink += (idOnly[10]! << 8) | idOnly[11]!))),
  );
  console.log(
    `  ${"reading an interned u16 id instead".padEnd(40)} ${ns.toFixed(0).padStart(7)} ns/op${sink < 0 ? "" : ""}`,
  );
}

const ROUNDS = numberFlag("rounds", quick ? 3 : 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  console.log(
    `@parley/peer micro benchmark, Node ${process.version}, ${cpus().length} CPUs, Unix socket, one process`,
  );
  console.log(
    `sequential: ${SEQUENTIAL_CALLS} calls of 64 B; concurrent: ${CONCURRENT_CALLS} calls of 1 KiB at ` +
      `concurrency ${CONCURRENCY}; ${ROUNDS} interleaved rounds, medians (ratios per round, then median)\n`,
  );
  rmSync(SOCKET, { force: true });
  const server = createServer();
  server.listen(SOCKET);
  await once(server, "listening");
  const cases: [string, () => Promise<Result>][] = [
    ["raw node:net (batched)", () => rawRun(server)],
    ...(["microtask", "immediate", "nextTick", "auto"] as const).map(
      (s) =>
        [`parley, flush on ${s}`, () => parleyRun(server, s)] as [string, () => Promise<Result>],
    ),
  ];
  const results = new Map<string, Result[]>(cases.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no case always runs first (warm-up) or last (accumulated garbage).
    for (let k = 0; k < cases.length; k++) {
      const [name, run] = cases[(k + round) % cases.length]!;
      results.get(name)!.push(await run());
    }
  }
  const raw = results.get(cases[0]![0])!;
  console.log(
    "case                              seq p50 µs   ratio   conc req/s   ratio   CPU µs/call   ratio",
  );
  for (const [name] of cases) {
    const r = results.get(name)!;
    const ratio = (pick: (x: Result) => number) => median(r.map((x, i) => pick(x) / pick(raw[i]!)));
    const cell = (value: number, digits: number, width: number) =>
      value.toFixed(digits).padStart(width);
    console.log(
      `${name.padEnd(32)} ${cell(median(r.map((x) => x.seqP50Us)), 1, 11)} ${cell(
        ratio((x) => x.seqP50Us),
        2,
        6,
      )}x` +
        ` ${cell(median(r.map((x) => x.concReqPerSec)), 0, 12)} ${cell(
          ratio((x) => x.concReqPerSec),
          2,
          6,
        )}x` +
        ` ${cell(median(r.map((x) => x.concCpuUsPerCall)), 1, 13)} ${cell(
          ratio((x) => x.concCpuUsPerCall),
          2,
          6,
        )}x`,
    );
  }
  server.close();
  rmSync(SOCKET, { force: true });
  await pQueueCost();
  await methodNameCost();
}

await main();
