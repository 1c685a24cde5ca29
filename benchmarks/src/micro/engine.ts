// `npx tsx --conditions=@parley/source benchmarks/src/micro/engine.ts`: the @parley/peer engine
// alone. Two peers in one process over a connection that hands each write straight to the other
// side, so there is no socket, no syscall and no event-loop wake-up: what is left is the engine's
// own work per round trip (encode, parse, pairing, deadlines, dispatch, settlement, both sides).
// It is the number to watch when changing the hot path; the socket-level figures are in peer.ts
// and the cross-process ones in src/e2e.
// Flags: --calls=N (per round, default 100000), --rounds=N (default 7), --payload=BYTES (default 64).

import { defineContract } from "@parley/codec";
import type { Connection, ConnectionHandlers } from "@parley/framing";
import { createPeer, type Peer } from "@parley/peer";
import { z } from "zod";
import { numberFlag } from "./cli.js";

const CALLS = numberFlag("calls", 100_000);
const ROUNDS = numberFlag("rounds", 7);
const PAYLOAD = numberFlag("payload", 64);

/** One end of a synchronous in-memory link: a write is the other end's onData, at once. */
class LoopbackEnd implements Connection {
  other: LoopbackEnd | undefined;
  private handlers: ConnectionHandlers | undefined;
  readonly bufferedBytes = 0;
  readonly remoteAddress = "loopback";
  readonly localAddress = "loopback";

  write(chunks: readonly Uint8Array[]): boolean {
    for (const chunk of chunks) this.other?.handlers?.onData(chunk);
    return true;
  }
  end(): void {
    this.other?.handlers?.onEnd();
  }
  reset(): void {
    this.handlers?.onClose();
    this.other?.handlers?.onClose();
  }
  pause(): void {}
  resume(): void {}
  attach(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }
}

const bytes = z.instanceof(Uint8Array);
const contract = defineContract({
  name: "engine-bench",
  version: 1,
  requests: { echo: { input: bytes, output: bytes } },
});

async function pair(typed: boolean): Promise<{ client: Peer; server: Peer }> {
  const a = new LoopbackEnd();
  const b = new LoopbackEnd();
  a.other = b;
  b.other = a;
  const server = createPeer(b, {
    side: "server",
    ...(typed ? { serves: contract } : {}),
    handlers: { echo: (input: Uint8Array) => input },
  } as never) as unknown as Peer;
  const client = createPeer(a, (typed ? { calls: contract } : {}) as never) as unknown as Peer;
  await client.ready;
  return { client, server };
}

/** CPU µs per round trip of `rounds` rounds, each `calls` sequential calls. */
async function measure(client: Peer, payload: Uint8Array): Promise<number[]> {
  for (let i = 0; i < CALLS / 5; i++) await client.request("echo", payload);
  const perRound: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) await client.request("echo", payload);
    const used = process.cpuUsage(start);
    perRound.push((used.user + used.system) / CALLS);
  }
  return perRound.sort((x, y) => x - y);
}

const payload = new Uint8Array(PAYLOAD).map((_, i) => i & 0xff);
console.log(
  `@parley/peer engine alone, Node ${process.version}: ${ROUNDS} rounds of ${CALLS} sequential ` +
    `calls, ${PAYLOAD}-byte Uint8Array echo; CPU µs per round trip (both peers)\n`,
);
console.log("case                         fastest round   median round");
for (const typed of [false, true]) {
  const { client, server } = await pair(typed);
  const rounds = await measure(client, payload);
  const label = typed ? "with a contract (zod)" : "untyped";
  console.log(
    `${label.padEnd(28)} ${rounds[0]!.toFixed(2).padStart(13)}   ${rounds[
      rounds.length >> 1
    ]!.toFixed(2).padStart(12)}`,
  );
  client.destroy();
  server.destroy();
}
