import fc from "fast-check";

/** Real traffic to build hostile input from: a valid handshake and frames seen after it. */
export interface HostileMaterial {
  /** The bytes a real client sends to get ready (its Hello and HelloAck, say). */
  readonly handshake: Uint8Array;
  /** Whole frames (length prefix included) seen on a real connection, in either direction. */
  readonly frames: readonly Uint8Array[];
}

/** One hostile connection: what to send and how to leave. */
export interface HostileStream {
  /** `bytes` start with the valid handshake, the garbage follows it. */
  readonly afterHandshake: boolean;
  /** All to send: random, mutated real frames, or real frames out of turn followed by noise. */
  readonly bytes: Uint8Array;
  /** Half-close after writing (a peer that leaves); otherwise keep the socket open and wait. */
  readonly end: boolean;
  /** Which generator made `bytes`: `random`, `mutated` or `replayed`. */
  readonly kind: "random" | "mutated" | "replayed";
}

/**
 * Splits a stream of frames with a big-endian length prefix of `prefixBytes` (1, 2 or 4) into
 * whole frames (prefix included, as views of `bytes`) and the incomplete rest.
 */
export function splitFrames(
  bytes: Uint8Array,
  prefixBytes: 1 | 2 | 4 = 4,
): { frames: Uint8Array[]; rest: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Uint8Array[] = [];
  let offset = 0;
  while (offset + prefixBytes <= bytes.length) {
    const length =
      prefixBytes === 4
        ? view.getUint32(offset)
        : prefixBytes === 2
          ? view.getUint16(offset)
          : view.getUint8(offset);
    const end = offset + prefixBytes + length;
    if (end > bytes.length) break;
    frames.push(bytes.subarray(offset, end));
    offset = end;
  }
  return { frames, rest: bytes.subarray(offset) };
}

/** One edit {@link mutateBytes} applies; positions are taken modulo the length. */
export type ByteMutation =
  | { op: "flip"; at: number; bit: number }
  | { op: "set"; at: number; byte: number }
  | { op: "truncate"; at: number }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "length"; at: number; value: number };

const position = fc.nat({ max: 1 << 20 });
// Length values that probe the edges: empty, tiny, just over common limits, the u32 maximum.
const lengthValue = fc.oneof(
  fc.constantFrom(0, 1, 5, 6, 0xffff, 0x10000, 0x400001, 0x7fffffff, 0xffffffff),
  fc.nat({ max: 0xffffffff }),
);
const mutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant("set" as const), at: position, byte: fc.nat({ max: 255 }) }),
  fc.record({ op: fc.constant("truncate" as const), at: position }),
  fc.record({
    op: fc.constant("insert" as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant("length" as const), at: position, value: lengthValue }),
);

/** Applies `mutations` in order to a copy of `input` (positions taken modulo its length). */
export function mutateBytes(input: Uint8Array, mutations: readonly ByteMutation[]): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(input);
  for (const m of mutations) {
    if (bytes.length === 0) bytes = new Uint8Array(1);
    const at = m.at % bytes.length;
    if (m.op === "flip") bytes[at] = bytes[at]! ^ (1 << m.bit);
    else if (m.op === "set") bytes[at] = m.byte;
    else if (m.op === "truncate") bytes = bytes.subarray(0, at);
    else if (m.op === "insert")
      bytes = concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    else if (at + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(at, m.value);
  }
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * A fast-check arbitrary of hostile connections built from `material`: random bytes, real frames
 * with bit flips, overwritten length fields, truncations and insertions, or real frames replayed
 * out of turn and followed by noise (a Bye, a ByeAck, then a broken frame in one write, say); each
 * either after the valid handshake or from the first byte. Sample it with a fixed seed
 * (`fc.sample(arb, { seed, numRuns })`) so that a failure can be replayed.
 */
export function hostileStreamArbitrary(material: HostileMaterial): fc.Arbitrary<HostileStream> {
  const frames = fc.array(fc.constantFrom(...material.frames), { minLength: 1, maxLength: 5 });
  const noise = fc.uint8Array({ minLength: 1, maxLength: 256 });
  const garbage = fc.oneof(
    noise.map((bytes) => ({ kind: "random" as const, bytes })),
    fc.tuple(frames, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([picked, ms]) => ({
      kind: "mutated" as const,
      bytes: mutateBytes(concat(picked), ms),
    })),
    fc
      .tuple(frames, fc.uint8Array({ maxLength: 32 }))
      .map(([picked, tail]) => ({ kind: "replayed" as const, bytes: concat([...picked, tail]) })),
  );
  // Most hostile peers leave after writing; some stay silent so the server's own timers must act.
  const end = fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, fc.constant(false));
  return fc
    .record({ afterHandshake: fc.boolean(), garbage, end })
    .map(({ afterHandshake, garbage: g, end: e }) => ({
      afterHandshake,
      kind: g.kind,
      end: e,
      bytes: afterHandshake ? concat([material.handshake, g.bytes]) : g.bytes,
    }));
}
