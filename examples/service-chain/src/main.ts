// A service chain: client -> gateway -> backend. The gateway's handler calls the backend with what
// is left of its own deadline and with its own AbortSignal, so a deadline set by the client bounds
// the whole chain, and a cancellation by the client stops the work in every service.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { connect, defineContract, type HandlerContext, isParleyError, serve, z } from "@parley/rpc";

/** What the gateway serves to clients. */
export const quotes = defineContract({
  name: "quotes",
  version: 1,
  requests: {
    quote: {
      input: z.object({ symbol: z.string() }),
      output: z.object({ symbol: z.string(), price: z.number() }),
      idempotent: true,
    },
  },
});

/** What the backend serves to the gateway. */
export const pricing = defineContract({
  name: "pricing",
  version: 1,
  requests: {
    price: { input: z.object({ symbol: z.string() }), output: z.number(), idempotent: true },
  },
});

/** The gateway's own work (say, an auth check) before it calls the backend. */
export const GATEWAY_WORK_MS = 50;
/** How long the backend takes to price `SLOW` (others take 10 ms). */
export const SLOW_BACKEND_MS = 5_000;

/** The client's deadline in the call that runs out of time. */
export const EXPIRING_TIMEOUT_MS = 500;

/** What one service's handler saw during one call. */
export interface HandlerTrace {
  /** `ctx.remainingMs()` when the handler started. */
  budgetMs: number;
  /** Code of the reason its `ctx.signal` aborted with, if it did. */
  abortedWith?: string;
  /** Code of the error its own call downstream failed with, if it did. */
  downstreamFailedWith?: string;
}

/** One call through the chain. */
export interface ChainTrace {
  /** The client's outcome: a price, or an error code. */
  outcome: number | string;
  gateway?: HandlerTrace;
  backend?: HandlerTrace;
}

/** What the example did, for its test. */
export interface Result {
  clientTimeoutMs: number;
  propagated: ChainTrace;
  expired: ChainTrace;
  cancelled: ChainTrace;
}

/** Records what handlers see, and lets the example wait until a handler has been aborted. */
class Tracer {
  trace: ChainTrace = { outcome: "" };
  private waiters: Array<{ test: () => boolean; resolve: () => void }> = [];

  start(where: "gateway" | "backend", ctx: HandlerContext): HandlerTrace {
    const seen: HandlerTrace = { budgetMs: Math.round(ctx.remainingMs()) };
    this.trace[where] = seen;
    ctx.signal.addEventListener("abort", () => {
      seen.abortedWith = codeOf(ctx.signal.reason);
      this.changed();
    });
    this.changed();
    return seen;
  }

  downstreamFailed(seen: HandlerTrace, error: unknown): void {
    seen.downstreamFailedWith = codeOf(error);
    this.changed();
  }

  /** Resolves once `test` holds (checked after every recorded event); rejects after `timeoutMs`. */
  until(test: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting until ${what}`)),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ test, resolve: done });
    });
  }

  private changed(): void {
    const ready = this.waiters.filter((w) => w.test());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function work(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function codeOf(error: unknown): string {
  return isParleyError(error) ? error.code : String(error);
}

/** Starts backend and gateway, wired together. */
async function startChain(tracer: Tracer) {
  const backend = await serve({
    url: `unix:///tmp/parley-${randomBytes(6).toString("hex")}.sock`,
    contract: pricing,
    handlers: {
      price: async ({ symbol }, ctx) => {
        tracer.start("backend", ctx);
        await work(symbol === "SLOW" ? SLOW_BACKEND_MS : 10, ctx.signal);
        return 100 + symbol.length;
      },
    },
  });
  const upstream = await connect({ url: backend.url, contract: pricing });
  const gateway = await serve({
    url: "tcp://127.0.0.1:0",
    contract: quotes,
    handlers: {
      quote: async ({ symbol }, ctx) => {
        const seen = tracer.start("gateway", ctx);
        await work(GATEWAY_WORK_MS, ctx.signal);
        // The propagation: `parent: ctx` gives the backend call what is left of this handler's
        // deadline, and cancels it when our caller cancels or the deadline passes.
        const price = await upstream.call
          .price({ symbol }, { parent: ctx })
          .catch((error: unknown) => {
            tracer.downstreamFailed(seen, error);
            throw error;
          });
        return { symbol, price };
      },
    },
  });
  return {
    backend,
    gateway,
    async close() {
      await gateway.close();
      await upstream.close();
      await backend.close();
    },
  };
}

/** Runs three calls through the chain: one that succeeds, one that runs out of time, one cancelled. */
export async function run(log: (line: string) => void): Promise<Result> {
  const tracer = new Tracer();
  const chain = await startChain(tracer);
  const client = await connect({ url: chain.gateway.url, contract: quotes });
  const quote = async (symbol: string, options: { timeoutMs?: number; signal?: AbortSignal }) => {
    tracer.trace = { outcome: "" };
    tracer.trace.outcome = await client.call.quote({ symbol }, options).then(
      ({ price }) => price,
      (error: unknown) => codeOf(error),
    );
    return tracer.trace;
  };
  const aborted = (trace: ChainTrace) => () =>
    trace.gateway?.abortedWith !== undefined && trace.backend?.abortedWith !== undefined;
  // A deadline stops the gateway's handler by its signal or, when the backend call's inherited
  // copy of that deadline fires first (a separate timer in the gateway's client), by that call's
  // DEADLINE_EXCEEDED: the handler has then ended before its own signal could abort.
  const stopped = (trace: ChainTrace) => () =>
    (trace.gateway?.abortedWith ?? trace.gateway?.downstreamFailedWith) !== undefined &&
    trace.backend?.abortedWith !== undefined;
  log(`client -> gateway ${chain.gateway.url} -> backend ${chain.backend.url}`);

  try {
    const clientTimeoutMs = 1_000;
    const propagated = await quote("ACME", { timeoutMs: clientTimeoutMs });
    log(`1. quote ACME with timeoutMs ${clientTimeoutMs}: ${propagated.outcome}`);
    log(
      `   budget seen by the gateway ${propagated.gateway?.budgetMs} ms, by the backend ` +
        `${propagated.backend?.budgetMs} ms (after ${GATEWAY_WORK_MS} ms of gateway work)`,
    );

    const expired = await quote("SLOW", { timeoutMs: EXPIRING_TIMEOUT_MS });
    await tracer.until(stopped(expired), "both handlers are stopped");
    log(`2. quote SLOW with timeoutMs ${EXPIRING_TIMEOUT_MS}: ${expired.outcome}`);
    log(
      `   backend handler stopped when the budget ran out (${expired.backend?.abortedWith}), ` +
        `not after its ${SLOW_BACKEND_MS} ms of work`,
    );

    const controller = new AbortController();
    const pending = quote("SLOW", { signal: controller.signal });
    await tracer.until(() => tracer.trace.backend !== undefined, "the backend is working");
    controller.abort();
    const cancelled = await pending;
    await tracer.until(aborted(cancelled), "both handlers are aborted");
    log(`3. quote SLOW, aborted by the client while the backend works: ${cancelled.outcome}`);
    log(
      `   gateway handler signal aborted with ${cancelled.gateway?.abortedWith}, ` +
        `backend handler signal aborted with ${cancelled.backend?.abortedWith}`,
    );
    return { clientTimeoutMs, propagated, expired, cancelled };
  } finally {
    await client.close();
    await chain.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
