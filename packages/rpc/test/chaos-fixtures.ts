import { randomBytes } from "node:crypto";
import { defineContract, z } from "../src/index.js";

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

/** Polls `condition` every 20 ms; resolves `false` if it still fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
