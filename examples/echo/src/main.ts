// Echo over TCP and over a Unix domain socket: the same contract, handlers and client code; only
// the URL changes.
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connect, defineContract, serve, z } from "@parley/rpc";

/** The contract both ends share: the schemas type the handlers and the calls. */
export const echoContract = defineContract({
  name: "echo",
  version: 1,
  requests: {
    echo: { input: z.string(), output: z.string(), idempotent: true },
    shout: {
      input: z.object({ text: z.string(), times: z.int().min(1).max(5) }),
      output: z.string(),
    },
  },
});

/** What one transport did. */
export interface TransportRun {
  /** The URL the server bound (with port 0 resolved). */
  url: string;
  replies: string[];
}

/** What the example did, for its test. */
export interface Result {
  tcp: TransportRun;
  unix: TransportRun & {
    /** Permission bits of the socket file while the server ran (owner-only by default). */
    socketMode: number;
    /** The server removed its socket file on close. */
    socketRemoved: boolean;
  };
}

/** Serves the contract on `url`, makes two calls from a client, then closes both ends. */
async function roundTrip(url: string, log: (line: string) => void, onListening = () => {}) {
  const server = await serve({
    url,
    contract: echoContract,
    handlers: {
      echo: (text) => text,
      shout: ({ text, times }) => Array(times).fill(text.toUpperCase()).join(" "),
    },
  });
  log(`server listening on ${server.url}`);
  onListening();
  const client = await connect({ url: server.url, contract: echoContract });
  const replies = [
    await client.call.echo("hello"),
    await client.call.shout({ text: "hey", times: 3 }),
  ];
  for (const reply of replies) log(`  reply: ${reply}`);
  await client.close(); // Bye: both ends agree nothing is in flight, then the socket closes
  await server.close();
  return { url: server.url, replies };
}

/** Runs the echo round trip over TCP, then over a Unix socket. */
export async function run(log: (line: string) => void): Promise<Result> {
  const tcp = await roundTrip("tcp://127.0.0.1:0", log);

  const path = `/tmp/parley-${randomBytes(6).toString("hex")}.sock`;
  let socketMode = -1;
  const unix = await roundTrip(`unix://${path}`, log, () => {
    socketMode = statSync(path).mode & 0o777;
    log(`  socket file ${path} has mode ${socketMode.toString(8)}`);
  });
  const socketRemoved = !existsSync(path);
  log(`  socket file removed on close: ${socketRemoved}`);
  return { tcp, unix: { ...unix, socketMode, socketRemoved } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
