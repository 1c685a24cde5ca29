import { defineContract } from "@parley/codec";
import { createPeer } from "@parley/peer";
import { createMemoryPair } from "@parley/testkit"; // any Connection works: a socket transport in production
import { z } from "zod";

const calc = defineContract({
  name: "calc",
  version: 1,
  requests: {
    add: {
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.object({ sum: z.number() }),
    },
  },
  signals: { log: z.object({ text: z.string() }) },
});

const [clientSide, serverSide] = createMemoryPair();

const server = createPeer(serverSide, {
  side: "server",
  serves: calc,
  handlers: { add: ({ a, b }) => ({ sum: a + b }) }, // (input, ctx): ctx has signal, deadline, peer
  signalHandlers: { log: ({ text }) => console.log(text) },
});

const client = createPeer(clientSide, { calls: calc });
const { sum } = await client.call.add({ a: 1, b: 2 }, { timeoutMs: 1_000 }); // typed: { sum: number }
await client.emit.log({ text: `sum is ${sum}` });

await client.close(); // Bye: in-flight work finishes, then FIN
console.log(await server.closed); // { initiator: "remote", reason: "graceful", calls: {...} }
