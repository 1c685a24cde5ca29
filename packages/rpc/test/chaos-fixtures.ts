import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { defineContract, type ServeOptions, serve, z } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

/**
 * The chaos tests' size: 1 in `npm test`; `PARLEY_CHAOS_SCALE=10` multiplies every count (calls,
 * connections, cycles) for a soak run. Timeouts grow with it.
 */
export const CHAOS_SCALE = Math.max(1, Number(process.env.PARLEY_CHAOS_SCALE ?? 1) || 1);

/** `count` times {@link CHAOS_SCALE}, rounded. */
export const scaled = (count: number) => Math.round(count * CHAOS_SCALE);

/** A fresh ledger file path under /tmp. */
export const tempLedgerPath = () => `/tmp/parley-ledger-${randomBytes(5).toString("hex")}.log`;

/**
 * One request that is not idempotent (so a call lost with its connection is never retried): the
 * server records `id` in its ledger, then waits `ms`.
 */
export const ledgerContract = defineContract({
  name: "chaos-ledger",
  version: 1,
  requests: {
    run: { input: z.object({ id: z.string(), ms: z.number() }), output: z.string() },
  },
});

/** Prints one line of figures, prefixed so a soak log can be grepped for them. */
export function reportFigures(name: string, figures: Record<string, unknown>): void {
  console.log(`[chaos] ${name} ${JSON.stringify(figures)}`);
}

/** The test contract's server, as {@link serveForFile} starts it. */
export type ChaosServer = Awaited<ReturnType<typeof serve<typeof testContract>>>;

/**
 * A test-contract server on a free loopback TCP port, started before the file's tests and destroyed
 * after them; `options` add the bounds under test. Read `server` and `port` inside the tests.
 */
export function serveForFile(
  options: Omit<ServeOptions<typeof testContract>, "url" | "contract" | "handlers">,
): { readonly server: ChaosServer; readonly port: number } {
  const served = {} as { server: ChaosServer; port: number };
  beforeAll(async () => {
    served.server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
      ...options,
    });
    served.port = Number(new URL(served.server.url).port);
  });
  afterAll(async () => {
    await served.server?.destroy();
  });
  return served;
}
