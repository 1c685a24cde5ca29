// The tour behind `npm start`: a small key-value service and a client over a Unix socket, showing
// the Hello handshake, typed requests, a one-way signal, a validation error, throughput, and the
// Bye that closes the connection without losing a call.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  type Client,
  type CloseInfo,
  connect,
  defineContract,
  isParleyError,
  type RemoteHello,
  serve,
  z,
} from "@parley/rpc";

/** The contract: requests with zod schemas (types are inferred from them) and one signal. */
export const kv = defineContract({
  name: "kv",
  version: 1,
  requests: {
    set: {
      input: z.object({ key: z.string().min(1).max(64), value: z.string() }),
      output: z.object({ version: z.int() }),
    },
    get: { input: z.object({ key: z.string() }), output: z.string().nullable(), idempotent: true },
  },
  signals: {
    // One-way: no response, no waiting. Drops every key that starts with `prefix`.
    evict: z.object({ prefix: z.string() }),
  },
});

/** Sizes of the throughput run. */
export interface FlagshipOptions {
  /** Calls in the measured run. @default 20000 */
  calls?: number;
  /** Calls in flight at once. @default 64 */
  concurrency?: number;
}

/** What the tour did, for its test. */
export interface Result {
  url: string;
  /** The server's Hello as the client saw it, and the client's as the server saw it. */
  serverHello: RemoteHello;
  clientHello: RemoteHello;
  version: number;
  value: string | null;
  evicted: number;
  valueAfterEvict: string | null;
  validation: { code: string; message: string };
  throughput: { calls: number; concurrency: number; ms: number; perSecond: number };
  clientClose: CloseInfo;
  serverClose: CloseInfo;
}

/** The service: a Map behind the contract's handlers. */
function startServer(url: string) {
  const store = new Map<string, { value: string; version: number }>();
  let onEvicted: (count: number) => void = () => {};
  const evicted = new Promise<number>((resolve) => {
    onEvicted = resolve;
  });
  const server = serve({
    url,
    contract: kv,
    metadata: { name: "kv-server" }, // sent in Hello
    handlers: {
      set: ({ key, value }) => {
        const version = (store.get(key)?.version ?? 0) + 1;
        store.set(key, { value, version });
        return { version };
      },
      get: ({ key }) => store.get(key)?.value ?? null,
    },
    signalHandlers: {
      evict: ({ prefix }) => {
        const keys = [...store.keys()].filter((key) => key.startsWith(prefix));
        for (const key of keys) store.delete(key);
        onEvicted(keys.length);
      },
    },
  });
  return { server, evicted };
}

type Log = (line: string) => void;

/** Prints who is talking and what the Hello handshake agreed on. */
function showHello(url: string, serverHello: RemoteHello, clientHello: RemoteHello, log: Log) {
  const contract = serverHello.serves;
  const { major, minor } = serverHello.protocolVersion;
  log(`parley      ${clientHello.metadata.name} -> ${serverHello.metadata.name} over ${url}`);
  log(
    `hello       contract ${contract?.name} v${contract?.version} · fingerprint ${contract?.fingerprint}` +
      ` · ${serverHello.codec} · protocol ${major}.${minor}`,
  );
}

/** Two requests, a signal, and a call the server refuses. */
async function tour(client: Client<typeof kv>, evicted: Promise<number>, log: Log) {
  const { version } = await client.call.set({ key: "greeting", value: "hello, world" });
  log(`request     set greeting = "hello, world"  -> version ${version}`);
  const value = await client.call.get({ key: "greeting" }); // typed: string | null
  log(`request     get greeting                   -> ${JSON.stringify(value)}`);

  await client.signal("evict", { prefix: "greet" }); // resolves once queued: no reply to wait for
  const evictedCount = await evicted;
  const valueAfterEvict = await client.call.get({ key: "greeting" });
  log(`signal      evict { prefix: "greet" }      -> server dropped ${evictedCount} key`);

  const validation = await client.call.set({ key: "", value: "x" }).then(
    () => ({ code: "none", message: "accepted" }),
    (error: unknown) => {
      if (!isParleyError(error)) throw error;
      return { code: error.code, message: error.message };
    },
  );
  log(`validation  set { key: "" }                -> ${validation.code}`);
  log(`            ${validation.message}`);
  return { version, value, evicted: evictedCount, valueAfterEvict, validation };
}

/** Runs the tour, printing a few lines through `log`. */
export async function run(log: Log, options: FlagshipOptions = {}): Promise<Result> {
  const { calls = 20_000, concurrency = 64 } = options;
  const service = startServer(`unix:///tmp/parley-${randomBytes(6).toString("hex")}.sock`);
  const server = await service.server;
  const serverSide = new Promise<{ hello: RemoteHello; closed: Promise<CloseInfo> }>((resolve) =>
    server.once("connect", async ({ peer }) =>
      resolve({ hello: (await peer.ready).remote, closed: peer.closed }),
    ),
  );
  const client = await connect({ url: server.url, contract: kv, metadata: { name: "kv-cli" } });
  try {
    const serverHello = (await client.peer?.ready)?.remote as RemoteHello; // connect() awaited it
    const { hello: clientHello, closed: serverClosed } = await serverSide;
    showHello(server.url, serverHello, clientHello, log);
    const steps = await tour(client, service.evicted, log);

    const throughput = await measure(client, calls, concurrency);
    log(
      `throughput  ${n(calls)} calls at concurrency ${concurrency} in ${throughput.ms.toFixed(0)} ms` +
        ` = ${n(throughput.perSecond)} req/s over a Unix socket`,
    );

    await client.close(); // Bye: both sides finish what they accepted, then the socket closes
    const clientClose = await client.closed;
    const { completed, rejected, abandoned } = clientClose.calls;
    const closer = clientClose.initiator === "local" ? "the client" : "the server";
    log(
      `bye         ${clientClose.reason}, started by ${closer}: ${n(completed)} calls completed,` +
        ` ${rejected} rejected, ${abandoned} abandoned`,
    );
    return {
      url: server.url,
      serverHello,
      clientHello,
      ...steps,
      throughput: { ...throughput, calls, concurrency },
      clientClose,
      serverClose: await serverClosed,
    };
  } finally {
    await client.close();
    await server.close();
  }
}

const n = (value: number) => value.toLocaleString("en-US");

/** `calls` gets at `concurrency` in flight, after a short warm-up; returns the elapsed time. */
async function measure(client: Client<typeof kv>, calls: number, concurrency: number) {
  const burst = async (count: number) => {
    let next = 0;
    const worker = async () => {
      while (next++ < count) await client.call.get({ key: "bench" });
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await burst(Math.min(2_000, calls)); // let the JIT settle; not counted
  const start = performance.now();
  await burst(calls);
  const ms = performance.now() - start;
  return { ms, perSecond: Math.round((calls / ms) * 1000) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
