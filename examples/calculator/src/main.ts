// A typed calculator: zod schemas define the contract, handler and call types are inferred from
// them, bad input is refused by the server with INVALID_ARGUMENT, a handler's coded error reaches
// the caller as a RemoteError, and the contract's `idempotent` marks decide what a reconnecting
// client may retry.
import { fileURLToPath } from "node:url";
import {
  type Client,
  connect,
  defineContract,
  isParleyError,
  type ServeOptions,
  type Server,
  ServiceError,
  serve,
  z,
} from "@parley/rpc";

const Pair = z.object({ a: z.number(), b: z.number() });

/** The contract. `idempotent: true` says running a call twice is harmless. */
export const calculator = defineContract({
  name: "calculator",
  version: 1,
  requests: {
    add: { input: Pair, output: z.number(), idempotent: true },
    divide: { input: Pair, output: z.number(), idempotent: true },
    power: {
      input: z.object({ base: z.number(), exponent: z.int().min(0).max(64) }),
      output: z.number(),
      idempotent: true,
    },
    // Adds to a running total kept on the server: running it twice adds twice.
    memoryAdd: { input: z.object({ value: z.number() }), output: z.number() },
  },
});

/** What a caught error looked like. */
export interface CaughtError {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
}

/** What the example did, for its test. */
export interface Result {
  sum: number;
  quotient: number;
  divisionByZero: CaughtError & { data: unknown };
  invalidArgument: CaughtError & { issues: number };
  idempotent: string[];
  /** The idempotent call in flight when the connection dropped: retried on the new connection. */
  retried: { value: number; executions: number };
  /** The non-idempotent call in flight: failed, not retried, and it did run once. */
  notRetried: CaughtError & { executions: number; memory: number };
  reconnects: number;
}

/**
 * The server's side: the handlers, typed from the contract at `serve()`, plus counters so the
 * example can show what ran.
 */
function createCalculator() {
  const state = { memory: 0, executions: { divide: 0, memoryAdd: 0 } };
  // While armed, the next two calls park until the connection under them drops.
  let hold: { count: number; onHeld: () => void } | undefined;
  const maybeHold = (signal: AbortSignal): Promise<void> | undefined => {
    if (hold === undefined) return undefined;
    if (++hold.count === 2) {
      queueMicrotask(hold.onHeld);
      hold = undefined;
    }
    if (signal.aborted) return undefined;
    return new Promise((resolve) =>
      signal.addEventListener("abort", () => resolve(), { once: true }),
    );
  };
  return {
    state,
    holdNextTwoCalls(onHeld: () => void) {
      hold = { count: 0, onHeld };
    },
    handlers: {
      add: ({ a, b }) => a + b,
      divide: async ({ a, b }, ctx) => {
        state.executions.divide++;
        await maybeHold(ctx.signal);
        if (b === 0) {
          throw new ServiceError("DIVISION_BY_ZERO", `cannot divide ${a} by zero`, { dividend: a });
        }
        return a / b;
      },
      power: ({ base, exponent }) => base ** exponent,
      memoryAdd: async ({ value }, ctx) => {
        state.executions.memoryAdd++;
        state.memory += value;
        await maybeHold(ctx.signal);
        return state.memory;
      },
    } satisfies ServeOptions<typeof calculator>["handlers"],
  };
}

/** Drops every live connection as a network failure would (a reset, no Bye). */
function dropConnections(server: Server<typeof calculator>): void {
  for (const connection of server.connections) connection.peer.destroy();
}

function caught(error: unknown): CaughtError {
  if (!isParleyError(error)) throw error;
  return { name: error.name, code: error.code, message: error.message, retryable: error.retryable };
}

type Calculator = ReturnType<typeof createCalculator>;
type CalculatorClient = Client<typeof calculator>;

/** Typed calls, a handler's coded error, and a validation error. */
async function callAndFail(client: CalculatorClient, log: (line: string) => void) {
  const sum = await client.call.add({ a: 2, b: 3 }); // typed: number
  log(`add(2, 3) = ${sum}`);
  const quotient = await client.call.divide({ a: 1, b: 4 });
  log(`divide(1, 4) = ${quotient}`);

  // A handler's ServiceError arrives as a RemoteError with the same code, message and data.
  const divisionByZero = await client.call.divide({ a: 1, b: 0 }).then(
    () => expectedFailure("divide by zero"),
    (error: unknown) => ({ ...caught(error), data: (error as { data?: unknown }).data }),
  );
  log(
    `divide(1, 0) failed: ${divisionByZero.name} ${divisionByZero.code}: ${divisionByZero.message}`,
  );

  // The types allow any number; the schema wants a real number and an integer 0..64. The server
  // checks, refuses the call without running the handler, and lists every problem.
  const invalidArgument = await client.call.power({ base: Number("two"), exponent: 65 }).then(
    () => expectedFailure("power with a bad exponent"),
    (error: unknown) => ({
      ...caught(error),
      issues: ((error as { data?: unknown[] }).data ?? []).length,
    }),
  );
  log(`power(NaN, 65) failed: ${invalidArgument.code}: ${invalidArgument.message}`);
  return { sum, quotient, divisionByZero, invalidArgument };
}

/** Drops the connection while one idempotent and one non-idempotent call are running. */
async function dropMidCall(
  client: CalculatorClient,
  server: Server<typeof calculator>,
  service: Calculator,
  log: (line: string) => void,
) {
  const idempotent = calculator.requestNames.filter((m) => calculator.isIdempotent(m));
  const others = calculator.requestNames.filter((m) => !calculator.isIdempotent(m));
  log(`idempotent: ${idempotent.join(", ")}; not idempotent: ${others.join(", ")}`);

  const before = { ...service.state.executions };
  service.holdNextTwoCalls(() => dropConnections(server));
  const [divided, added] = await Promise.allSettled([
    client.call.divide({ a: 10, b: 4 }),
    client.call.memoryAdd({ value: 5 }),
  ]);
  if (divided.status !== "fulfilled" || added.status !== "rejected") {
    throw new Error("expected divide to be retried and memoryAdd to fail");
  }
  log("connection dropped with divide(10, 4) and memoryAdd(5) running:");
  const retried = {
    value: divided.value,
    executions: service.state.executions.divide - before.divide,
  };
  log(`  divide retried after reconnect = ${retried.value} (ran ${retried.executions} times)`);
  const notRetried = {
    ...caught(added.reason),
    executions: service.state.executions.memoryAdd - before.memoryAdd,
    memory: service.state.memory,
  };
  log(
    `  memoryAdd failed: ${notRetried.code}, not retried: it ran ${notRetried.executions} time` +
      ` (memory is ${notRetried.memory}) and may not run twice`,
  );
  return { idempotent, retried, notRetried };
}

/** Starts the calculator, calls it, and shows its errors and its retry rules. */
export async function run(log: (line: string) => void): Promise<Result> {
  const service = createCalculator();
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract: calculator,
    handlers: service.handlers,
  });
  // With reconnect on, calls lost with a connection are retried when the contract allows it.
  const client = await connect({
    url: server.url,
    contract: calculator,
    reconnect: { initialDelayMs: 10 },
  });
  let reconnects = 0;
  client.on("reconnect", () => reconnects++);
  log(`calculator on ${server.url} (fingerprint ${calculator.fingerprint})`);
  try {
    const basics = await callAndFail(client, log);
    const retries = await dropMidCall(client, server, service, log);
    return { ...basics, ...retries, reconnects };
  } finally {
    await client.close();
    await server.close();
  }
}

function expectedFailure(what: string): never {
  throw new Error(`${what} should have failed`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
