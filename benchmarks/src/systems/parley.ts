/**
 * Parley through its public entry point, `@parley/rpc`: msgpack codec, contract, request/response
 * pairing and deadlines, exactly what an application gets from `serve()` and `connect()`. Two
 * systems: inbound contract validation on (the default an application should run with) and off.
 *
 * The module is loaded lazily and checked by shape, so a build of `@parley/rpc` that does not yet
 * export this API makes the system "unavailable" with the reason instead of breaking the run.
 */
import type { BenchSystem, EchoClient, EchoServer, Endpoint, ListenSpec } from "./system.js";
import { tcpEndpoint, unixEndpoint } from "./system.js";

/** The slice of `@parley/rpc` the benchmark uses. */
interface ParleyRpc {
  serve(options: {
    url: string;
    contract: unknown;
    handlers: { echo(input: Uint8Array): Uint8Array };
  }): Promise<{ readonly url: string; close(): Promise<void> }>;
  connect(options: { url: string; contract: unknown }): Promise<ParleyClient>;
  defineContract(definition: {
    name: string;
    version: number;
    requests: { echo: { input: unknown; output: unknown } };
    validateInbound: boolean;
  }): unknown;
  z: { instanceof(type: typeof Uint8Array): unknown };
}

interface ParleyClient {
  readonly call?: { echo?(input: Uint8Array): Promise<Uint8Array> };
  request?(method: string, input: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

// Imported through variables so that type-checking the benchmarks never depends on the state of
// these packages' sources: their shape is checked at run time instead.
const RPC_MODULE: string = "@parley/rpc";
const CODEC_MODULE: string = "@parley/codec";
const ZOD_MODULE: string = "zod";

type Exports = Partial<Record<string, unknown>>;

/**
 * `serve` and `connect` must come from @parley/rpc. `defineContract` and `z` are re-exported by it
 * for convenience; where a build does not (yet), they come from where they live, @parley/codec and
 * zod, which is the same code.
 */
async function loadRpc(): Promise<ParleyRpc> {
  const rpc = (await import(RPC_MODULE)) as Exports;
  const missing = ["serve", "connect"].filter((name) => typeof rpc[name] !== "function");
  if (missing.length > 0) throw new Error(`@parley/rpc does not export ${missing.join(", ")}`);
  const defineContract =
    rpc.defineContract ?? ((await import(CODEC_MODULE)) as Exports).defineContract;
  const z = rpc.z ?? ((await import(ZOD_MODULE)) as Exports).z;
  if (typeof defineContract !== "function" || z === undefined) {
    throw new Error("neither @parley/rpc nor @parley/codec exports defineContract");
  }
  return { ...(rpc as object), defineContract, z } as ParleyRpc;
}

function contractFor(rpc: ParleyRpc, validateInbound: boolean): unknown {
  const bytes = rpc.z.instanceof(Uint8Array);
  return rpc.defineContract({
    name: "bench",
    version: 1,
    requests: { echo: { input: bytes, output: bytes } },
    validateInbound,
  });
}

function urlOf(listen: ListenSpec): string {
  return listen.transport === "tcp" ? `tcp://${listen.host}:0` : `unix://${listen.path}`;
}

/** The server's own URL is what clients dial; the rest of the endpoint is for the report. */
function endpointOf(listen: ListenSpec, url: string): Endpoint {
  if (listen.transport === "unix") return { ...unixEndpoint(listen.path), url };
  const port = Number(new URL(url).port);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`server.url ${url} has no port`);
  return { ...tcpEndpoint(listen.host, port), url };
}

function parleySystem(name: string, validateInbound: boolean): BenchSystem {
  return {
    name,
    transports: ["tcp", "unix"],
    async startServer(listen: ListenSpec): Promise<EchoServer> {
      const rpc = await loadRpc();
      const server = await rpc.serve({
        url: urlOf(listen),
        contract: contractFor(rpc, validateInbound),
        handlers: { echo: (input) => input },
      });
      return { endpoint: endpointOf(listen, server.url), close: () => server.close() };
    },
    async createClient(endpoint: Endpoint): Promise<EchoClient> {
      const rpc = await loadRpc();
      const client = await rpc.connect({
        url: endpoint.url,
        contract: contractFor(rpc, validateInbound),
      });
      const { call } = client;
      if (typeof call?.echo === "function") {
        return { echo: (payload) => call.echo!(payload), close: () => client.close() };
      }
      if (typeof client.request !== "function")
        throw new Error("client has neither call.echo nor request()");
      return { echo: (payload) => client.request!("echo", payload), close: () => client.close() };
    },
  };
}

/** Parley with inbound contract validation on. */
export const system = parleySystem("parley", true);

/** Parley with inbound contract validation off. */
export const systemNoValidate = parleySystem("parley-novalidate", false);
