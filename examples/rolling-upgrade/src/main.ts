// A rolling upgrade under load. Two server processes (A and B, two TCP ports) serve kv v1; clients
// on kv v1 and kv v2 call put and get on them continuously. The servers are then replaced one at a
// time by kv v2 servers on the same ports: each old one closes gracefully (Bye), its clients
// reconnect to the new one, and their calls wait for the reconnect. v2 adds a method and optional
// fields, so every pair of versions agrees at Hello: no call fails. A v2 client's call to the new
// method fails locally with UNIMPLEMENTED while it is connected to a v1 server (nothing is sent),
// and works once its server is upgraded.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type Client, connect, isParleyError } from "@parley/rpc";
import { kvV1, kvV2 } from "./contract.js";

/** Sizes of a run. */
export interface UpgradeOptions {
  /** v1 clients per server. @default 2 */
  v1ClientsPerServer?: number;
  /** Time each phase runs under load before the next step. @default 500 */
  phaseMs?: number;
}

/** What the example did, for its test. */
export interface Result {
  /** Calls answered and failed, per phase (which server runs which version). */
  readonly phases: readonly { name: string; calls: number; failed: number }[];
  /** Calls that failed, by error code (the contract allows none here). */
  readonly failures: Readonly<Record<string, number>>;
  /** Reconnects the clients made. */
  readonly reconnects: number;
  /** The v2 method on a v1 server: its error code, and whether anything was sent. */
  readonly newMethodOnOldServer: { code: string; sent: number };
  /** The v2 method once both servers run v2. */
  readonly newMethodAfterUpgrade: boolean;
}

interface Server {
  readonly name: string;
  child: ChildProcess;
  readonly url: string;
}

const SERVER_FILE = fileURLToPath(new URL("./server.ts", import.meta.url));

/** Starts a server process for kv `version` on `port`; resolves once it listens. */
async function startServer(
  version: 1 | 2,
  port: number,
): Promise<{ child: ChildProcess; url: string }> {
  const args = [
    "--conditions=@parley/source",
    "--import",
    "tsx",
    SERVER_FILE,
    String(version),
    String(port),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return { child, url };
}

/** Closes a server gracefully (SIGTERM: Bye on every connection) and waits for its process. */
async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Runs the upgrade, printing what happens through `log`. */
export async function run(
  log: (line: string) => void,
  options: UpgradeOptions = {},
): Promise<Result> {
  const perServer = options.v1ClientsPerServer ?? 2;
  const phaseMs = options.phaseMs ?? 500;
  const servers: Server[] = [];
  const clients: Closable[] = [];
  try {
    for (const name of ["A", "B"]) servers.push({ name, ...(await startServer(1, 0)) });
    log(`servers: ${servers.map((s) => `${s.name} ${s.url} (kv v1)`).join(", ")}`);
    const { load, v2Client } = await startLoad(servers, perServer, clients);
    log(`clients: ${perServer * 2} on kv v1, 2 on kv v2, calling put and get continuously`);
    const newMethodOnOldServer = await newMethodOnV1(v2Client);
    log(
      `remove (new in v2) from a v2 client on a v1 server: ${newMethodOnOldServer.code}, ${newMethodOnOldServer.sent} requests sent`,
    );
    await load.phase("A v1, B v1", phaseMs);
    for (const [k, server] of servers.entries()) {
      const started = performance.now();
      await stopServer(server.child);
      const port = Number(new URL(server.url).port);
      server.child = (await startServer(2, port)).child;
      log(
        `${server.name}: kv v1 -> v2, closed gracefully and restarted on port ${port} in ${Math.round(performance.now() - started)} ms`,
      );
      const versions = servers.map((s, j) => `${s.name} v${j <= k ? 2 : 1}`);
      await load.phase(versions.join(", "), phaseMs);
    }
    const result = await load.stop();
    const newMethodAfterUpgrade = typeof (await v2Client.call.remove({ key: "k0" })) === "boolean";
    report(log, result.phases, result.failures, result.reconnects, newMethodAfterUpgrade);
    return { ...result, newMethodOnOldServer, newMethodAfterUpgrade };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => stopServer(s.child)));
  }
}

interface Closable {
  close(): Promise<void>;
}

/** What the load loop needs of a client: get and put have the same shape in both versions. */
interface KvCaller {
  put(input: { key: string; value: string }): Promise<unknown>;
  get(input: { key: string }): Promise<unknown>;
}

/** Connects the clients (v1 ones, then one v2 per server) and keeps every one calling. */
async function startLoad(servers: Server[], perServer: number, clients: Closable[]) {
  const counts = { calls: 0, failed: 0, reconnects: 0 };
  const failures: Record<string, number> = {};
  const phases: { name: string; calls: number; failed: number }[] = [];
  const reconnect = { initialDelayMs: 20, maxDelayMs: 200 };
  const callers: KvCaller[] = [];
  let v2Client: Client<typeof kvV2> | undefined;
  for (const server of servers) {
    for (let i = 0; i < perServer; i++) {
      const client = await connect({ url: server.url, contract: kvV1, reconnect });
      client.on("reconnect", () => counts.reconnects++);
      clients.push(client);
      callers.push(client.call);
    }
    v2Client = await connect({ url: server.url, contract: kvV2, reconnect });
    v2Client.on("reconnect", () => counts.reconnects++);
    clients.push(v2Client);
    callers.push(v2Client.call);
  }
  let stopped = false;
  const work = callers.map(async (call, c) => {
    for (let i = 0; !stopped; i++) {
      const key = `k${c}-${i % 16}`;
      try {
        await call.put({ key, value: String(i) });
        await call.get({ key });
        counts.calls += 2;
      } catch (error) {
        counts.failed++;
        const code = isParleyError(error) ? error.code : "OTHER";
        failures[code] = (failures[code] ?? 0) + 1;
      }
    }
  });
  let mark = { calls: 0, failed: 0 };
  const load = {
    async phase(name: string, ms: number) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      phases.push({ name, calls: counts.calls - mark.calls, failed: counts.failed - mark.failed });
      mark = { calls: counts.calls, failed: counts.failed };
    },
    async stop() {
      stopped = true;
      await Promise.all(work);
      return { phases, failures, reconnects: counts.reconnects };
    },
  };
  return { load, v2Client: v2Client! };
}

/** The v2 method from a v2 client while its server still runs v1. */
async function newMethodOnV1(client: Client<typeof kvV2>): Promise<{ code: string; sent: number }> {
  const before = client.peer?.stats.requestsSent ?? 0;
  const code = await client.call.remove({ key: "k0" }).then(
    () => "ok",
    (error: unknown) => (isParleyError(error) ? error.code : "OTHER"),
  );
  return { code, sent: (client.peer?.stats.requestsSent ?? 0) - before };
}

function report(
  log: (line: string) => void,
  phases: Result["phases"],
  failures: Result["failures"],
  reconnects: number,
  newMethodAfterUpgrade: boolean,
): void {
  log("  phase                calls  failed");
  for (const p of phases)
    log(`  ${p.name.padEnd(18)} ${String(p.calls).padStart(7)} ${String(p.failed).padStart(7)}`);
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  log(`reconnects: ${reconnects}`);
  log(`remove (new in v2) once both servers run v2: ${newMethodAfterUpgrade ? "works" : "fails"}`);
  log(`failed calls: ${failed}${failed === 0 ? "" : ` (${JSON.stringify(failures)})`}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run((line) => console.log(line));
}
