/**
 * Every benchmarked system by name, with what the report needs to know without loading it. Adapters
 * load lazily so a child process loads only its own system, and a system whose packages fail to load
 * is reported as unavailable instead of stopping the run.
 */
import type { BenchSystem } from "./system.js";

/** What a system is to the report: the ceiling, Parley itself, or another framework. */
export type SystemRole = "ceiling" | "parley" | "framework";

/** A system's entry in the catalog. */
export interface CatalogEntry {
  /** Identifier used on the command line and in results. */
  readonly name: string;
  /** Human-readable name for the report's tables. */
  readonly label: string;
  readonly role: SystemRole;
  /** npm packages whose versions the report records. */
  readonly packages: readonly string[];
  /** Loads the adapter module. */
  load(): Promise<BenchSystem>;
}

/** Every system, in report order. */
export const CATALOG: readonly CatalogEntry[] = [
  {
    name: "raw-callback",
    label: "raw node:net, callback client",
    role: "ceiling",
    packages: [],
    load: async () => (await import("./raw-callback.js")).system,
  },
  {
    name: "raw",
    label: "raw node:net, promise client",
    role: "ceiling",
    packages: [],
    load: async () => (await import("./raw.js")).system,
  },
  {
    name: "parley",
    label: "Parley",
    role: "parley",
    packages: ["@parley/rpc"],
    load: async () => (await import("./parley.js")).system,
  },
  {
    name: "parley-novalidate",
    label: "Parley (no validation)",
    role: "parley",
    packages: ["@parley/rpc"],
    load: async () => (await import("./parley.js")).systemNoValidate,
  },
  {
    name: "zeromq",
    label: "zeromq",
    role: "framework",
    packages: ["zeromq"],
    load: async () => (await import("./zeromq.js")).system,
  },
  {
    name: "jsonrpc",
    label: "vscode-jsonrpc",
    role: "framework",
    packages: ["vscode-jsonrpc"],
    load: async () => (await import("./jsonrpc.js")).system,
  },
  {
    name: "http",
    label: "HTTP/1.1 (undici)",
    role: "framework",
    packages: ["undici"],
    load: async () => (await import("./http.js")).system,
  },
  {
    name: "grpc",
    label: "grpc-js",
    role: "framework",
    packages: ["@grpc/grpc-js"],
    load: async () => (await import("./grpc.js")).system,
  },
];

/** Looks a system up by name. */
export function catalogEntry(name: string): CatalogEntry {
  const entry = CATALOG.find((candidate) => candidate.name === name);
  if (entry === undefined) {
    const known = CATALOG.map((candidate) => candidate.name).join(", ");
    throw new Error(`unknown system "${name}"; known systems: ${known}`);
  }
  return entry;
}
