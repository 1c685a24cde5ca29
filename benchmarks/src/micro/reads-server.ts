// The echo server of reads.ts, in its own process so the client's CPU time is the client's alone.
import { fileURLToPath } from "node:url";
import { defineContract } from "@parley/codec";
import { createPeer } from "@parley/peer";
import { listenUnix } from "@parley/transport-net";
import { z } from "zod";

const bytes = z.instanceof(Uint8Array);
export const readsContract = defineContract({
  name: "reads-bench",
  version: 1,
  requests: { echo: { input: bytes, output: bytes } },
});

// Started as a process (by reads.ts), not imported for the contract.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const listener = await listenUnix({ path: process.argv[2]! }, (connection) => {
    createPeer(connection, {
      side: "server",
      serves: readsContract,
      handlers: { echo: (input: Uint8Array) => input },
    } as never);
  });
  process.send?.("ready");
  process.once("message", () => void listener.destroy().then(() => process.exit(0)));
}
