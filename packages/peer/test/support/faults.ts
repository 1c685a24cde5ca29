/**
 * The faults the settlement property tests strike a pair of peers with, at a random moment, and
 * the error codes a call may end with when one strikes.
 */
import type { MemoryConnection } from "@parley/testkit";
import fc from "fast-check";
import type { Peer } from "../../src/index.js";

/** Graceful closes, destroys, crashes, FINs without Bye, and a link the heartbeat must catch. */
export const FAULTS = [
  "none",
  "client-close",
  "server-close",
  "both-close",
  "client-destroy",
  "server-destroy",
  "server-crash",
  "client-crash",
  "client-fin",
  "server-fin",
  "blackhole",
] as const;
export type Fault = (typeof FAULTS)[number];

/** Codes a call may fail with under a fault (HANDLER_FAILED: a handler's planned failure). */
export const ALLOWED_CODES: ReadonlySet<string> = new Set([
  "CANCELLED",
  "DEADLINE_EXCEEDED",
  "UNAVAILABLE",
  "CONNECTION_LOST",
  "ABANDONED",
  "OVERLOADED",
  "HANDLER_FAILED",
]);

/**
 * The arbitraries of a scenario's link and fault, to spread into its plan: which fault strikes and
 * when (up to `maxFaultAtMs`), the link's latency, and how it cuts the bytes into chunks.
 */
export function linkAndFault(maxFaultAtMs: number) {
  return {
    fault: fc.constantFrom(...FAULTS),
    faultAtMs: fc.integer({ min: 0, max: maxFaultAtMs }),
    latencyMs: fc.constantFrom(0, 1, 3),
    chunkBytes: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  };
}

type Closable = Pick<Peer, "close" | "destroy">;

/** Strikes `fault`: `a` is the client's end of the memory pair, `b` the server's. */
export function injectFault(
  fault: Fault,
  client: Closable,
  server: Closable,
  a: MemoryConnection,
  b: MemoryConnection,
): void {
  switch (fault) {
    case "none":
      return;
    case "client-close":
      void client.close();
      return;
    case "server-close":
      void server.close();
      return;
    case "both-close":
      void client.close();
      void server.close();
      return;
    case "client-destroy":
      client.destroy();
      return;
    case "server-destroy":
      server.destroy(new Error("planned"));
      return;
    case "server-crash":
      b.crash();
      return;
    case "client-crash":
      a.crash();
      return;
    case "client-fin":
      a.end();
      return;
    case "server-fin":
      b.end();
      return;
    case "blackhole":
      a.stopDelivery();
      return;
  }
}
