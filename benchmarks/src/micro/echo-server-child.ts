// A raw echo server in a child process, for the micro benchmarks that measure one server's costs
// (accepted-reads.ts, large-echo.ts): the child runs with --expose-gc, says when it listens, and
// answers "start"/"stop" over IPC with the figures of the window between them.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { createRawClient } from "../systems/raw.js";
import { type EchoClient, type Endpoint, unixEndpoint } from "../systems/system.js";

/** A listening echo server child and a raw client connected to it. */
export interface EchoServerChild {
  readonly client: EchoClient;
  /** Sends `message` to the child and resolves with its answer. */
  ask<T>(message: string): Promise<T>;
  /** Closes the client and lets the child exit. */
  close(): Promise<void>;
}

/**
 * Forks `script` with `path` and `args`, waits until it listens, and connects with `connect` (raw
 * node:net's promise client unless the server speaks something else): to the endpoint the child
 * announces when it is ready, else to the Unix socket at `path`.
 */
export async function startEchoServerChild(
  script: URL,
  path: string,
  args: readonly string[],
  connect: (endpoint: Endpoint) => Promise<EchoClient> = createRawClient,
): Promise<EchoServerChild> {
  const server: ChildProcess = fork(script.pathname, [path, ...args], {
    execArgv: [...process.execArgv, "--expose-gc"],
  });
  const [ready] = (await once(server, "message")) as [Endpoint | string];
  const client = await connect(typeof ready === "object" ? ready : unixEndpoint(path));
  return {
    client,
    async ask<T>(message: string): Promise<T> {
      server.send(message);
      return (await once(server, "message"))[0] as T;
    },
    async close() {
      await client.close();
      server.send("exit");
      await once(server, "exit");
    },
  };
}

/**
 * Milliseconds of each of `calls` echoes of `payload`, sorted; `check` sees each reply. With
 * `concurrency` above 1, that many loops echo at once (a closed loop, as the e2e client runs).
 */
export async function timeEchoes(
  client: EchoClient,
  payload: Uint8Array,
  calls: number,
  check: (reply: Uint8Array) => void = () => {},
  concurrency = 1,
): Promise<Float64Array> {
  const latencies = new Float64Array(calls);
  let next = 0;
  const loop = async (): Promise<void> => {
    for (let i = next++; i < calls; i = next++) {
      const sent = performance.now();
      const reply = await client.echo(payload);
      latencies[i] = performance.now() - sent;
      check(reply);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return latencies.sort();
}
