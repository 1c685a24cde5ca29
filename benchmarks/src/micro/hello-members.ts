/**
 * Hello members micro-benchmark (protocol 1.1): what a 50-method contract adds to each connection's
 * handshake. Per connection, the serving side encodes its Hello (member tables with shapes, the
 * tables encoded once per contract and reused), the calling side parses it and checks its contract
 * against the served members. Three cases for the check: every member equal (fingerprints only),
 * every member changed compatibly (all 50 shapes parsed and compared: the worst case), and the
 * whole-contract 1.0 rule for scale. Also the one-time cost per contract (JSON Schema of every
 * schema, canonical text, fingerprints) and the Hello's size.
 *
 * Run: `npx tsx --conditions=@parley/source src/micro/hello-members.ts` (`--quick` for a short run,
 * `--methods=N` for another contract size). Target: encode + parse + check under 1 ms for 50 methods.
 * Timed in CPU time (process.cpuUsage), as codec.ts is, so other load on a shared machine does not
 * count; the fastest round is the steadiest figure. The "changed" case is the first connection to
 * a server of another version: the engine remembers the agreement per server contract afterwards,
 * so later connections cost what "equal" costs.
 */

import { type ContractDefinition, createMsgpackCodec, defineContract } from "@parley/codec";
import { agreeMembers, contractMembers } from "@parley/codec/internal";
import {
  FrameEncoder,
  FrameParser,
  type HelloMessage,
  Kind,
  memberTableDigest,
} from "@parley/peer/internal";
import { z } from "zod";
import { numberFlag } from "./cli.js";

const quick = process.argv.includes("--quick");
const METHODS = numberFlag("methods", 50);

/** A contract of `n` methods of realistic size; the first `evolved` get an optional field more. */
function contract(n: number, version: number, evolvedCount: number): ContractDefinition {
  const requests: Record<string, { input: z.ZodType; output: z.ZodType; idempotent: boolean }> = {};
  for (let i = 0; i < n; i++) {
    const evolved = i < evolvedCount;
    const input = z.object({
      id: z.string().min(1),
      limit: z.int().min(1).max(1000).optional(),
      filter: z.enum(["all", "open", "closed"]),
      ...(evolved ? { cursor: z.string().optional() } : {}),
    });
    const output = z.object({
      items: z.array(z.object({ id: z.string(), title: z.string(), done: z.boolean() })),
      total: z.number(),
      ...(evolved ? { next: z.string().nullable().optional() } : {}),
    });
    requests[`method${i}`] = { input, output, idempotent: i % 2 === 0 };
  }
  return { name: "bench", version, requests };
}

const v1 = defineContract(contract(METHODS, 1, 0));
const v2 = defineContract(contract(METHODS, 2, METHODS));
const v2few = defineContract(contract(METHODS, 2, Math.min(5, METHODS)));
const codec = createMsgpackCodec();
const encoder = new FrameEncoder(codec);
const parser = new FrameParser(codec);

function serverHello(c: typeof v1): HelloMessage {
  return {
    kind: Kind.Hello,
    major: 1,
    minor: 1,
    codec: "msgpack",
    serves: { name: c.name, version: String(c.version), fingerprint: c.fingerprint },
    calls: undefined,
    maxFrameBytes: 4_194_304,
    maxConcurrentRequests: 1280,
    heartbeatIntervalMs: 15_000,
    heartbeatTimeoutMs: 10_000,
    authToken: undefined,
    metadata: undefined,
    servesMembers: contractMembers(c.definition),
  };
}

/**
 * One connection's Hello work: encode the server's Hello, parse it, check the caller's contract,
 * as the engine does on a first connection: the digest it remembers the agreement under, then the
 * agreement itself (later connections find it under that digest).
 */
function handshake(caller: typeof v1, server: typeof v1): number {
  const frame = encoder.encode(serverHello(server));
  const hello = parser.parse(frame.subarray(encoder.prefixBytes)) as HelloMessage;
  if (hello.serves!.fingerprint === caller.fingerprint) return 0;
  if (memberTableDigest(caller.definition, hello.servesMembers!).length === 0) {
    throw new Error("no digest");
  }
  const agreement = agreeMembers(caller.definition, hello.servesMembers!);
  if (agreement.incompatible.length > 0) throw new Error("the benchmark contracts must agree");
  return agreement.unservedRequests.length;
}

function wholeContract(caller: typeof v1, server: typeof v1): boolean {
  const frame = encoder.encode({ ...serverHello(server), minor: 0, servesMembers: undefined });
  const hello = parser.parse(frame.subarray(encoder.prefixBytes)) as HelloMessage;
  return hello.serves!.fingerprint === caller.fingerprint;
}

const coldStart = performance.now();
const cold = defineContract(contract(METHODS, 3, METHODS));
contractMembers(cold.definition);
const coldMs = performance.now() - coldStart;
const helloBytes = encoder.encode(serverHello(v2)).length;
const helloBytes10 = encoder.encode({
  ...serverHello(v2),
  minor: 0,
  servesMembers: undefined,
}).length;

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** CPU microseconds per call of `fn`: the fastest and the median of ROUNDS rounds. */
function measure(fn: () => unknown): { fastest: number; median: number } {
  const iterations = quick ? 50 : 200;
  const rounds: number[] = [];
  fn(); // warm-up
  for (let round = 0; round < (quick ? 3 : 9); round++) {
    const start = cpuMs();
    for (let i = 0; i < iterations; i++) fn();
    rounds.push(((cpuMs() - start) * 1000) / iterations);
  }
  rounds.sort((a, b) => a - b);
  return { fastest: rounds[0]!, median: rounds[Math.floor(rounds.length / 2)]! };
}

const cases: [string, () => unknown][] = [
  ["1.0 rule: encode + parse + compare fingerprints", () => wholeContract(v1, v1)],
  [`1.1, all ${METHODS} equal: encode + parse + check`, () => handshake(v2, v2)],
  [`1.1, 5 of ${METHODS} changed: encode + parse + check`, () => handshake(v1, v2few)],
  [`1.1, all ${METHODS} changed: encode + parse + check`, () => handshake(v1, v2)],
];
console.log(
  `Hello members, ${METHODS}-method contract, Node ${process.version}, CPU time per Hello\n`,
);
console.log("| case | fastest (µs) | median (µs) |");
console.log("| ---- | -----------: | ----------: |");
for (const [name, fn] of cases) {
  const { fastest, median } = measure(fn);
  console.log(`| ${name} | ${fastest.toFixed(1)} | ${median.toFixed(1)} |`);
}
console.log(
  `\nHello size: ${helloBytes} bytes with shapes (${helloBytes10} bytes as a 1.0 Hello); ` +
    `once per contract (JSON Schema, canonical text, fingerprints): ${coldMs.toFixed(1)} ms`,
);
