import type { Connection } from "@parley/framing";
import { DEFAULT_WAIT_TIMEOUT_MS } from "./connection-recorder.js";
import type { LeakCheckOptions } from "./handle-snapshot.js";

/** Size of the large-payload conformance check: big enough to cross every buffer on the way. */
export const DEFAULT_LARGE_PAYLOAD_BYTES = 8 * 1024 * 1024;
/** Codes a peer's `onClose` error may carry after the other side's `reset()`. */
export const DEFAULT_RESET_ERROR_CODES: readonly string[] = Object.freeze(["ECONNRESET"]);

/** A fresh, connected pair of connections over the transport under test. */
export interface ConformancePair {
  /** The connecting side; not yet attached. */
  client: Connection;
  /** The accepting side; not yet attached (so the suite can check nothing is read before attach). */
  server: Connection;
  /** Releases the pair (resets what is still open) and anything opened for it. Idempotent. */
  close(): Promise<void>;
}

/** What {@link describeTransportConformance} runs against: one transport. */
export interface ConformanceTarget {
  /** Shown in the suite's name: `tcp`, `unix`, `tls`, `memory`. */
  name: string;
  /** A fresh, connected pair of connections over the real transport, plus cleanup. */
  openPair(): Promise<ConformancePair>;
  /**
   * Whether `reset()` produces a real reset that the other side's `onClose` reports as an error
   * (TCP and TLS: yes; Unix sockets have no RST and the peer sees an end-of-stream).
   * @default true
   */
  resetIsVisibleToPeer?: boolean;
  /**
   * Codes accepted on the peer's `onClose` error after a reset, when the reset is visible.
   * @default ["ECONNRESET"] ({@link DEFAULT_RESET_ERROR_CODES})
   */
  resetErrorCodes?: readonly string[];
  /**
   * Bytes sent by the large-payload check.
   * @default 8388608 ({@link DEFAULT_LARGE_PAYLOAD_BYTES})
   */
  largePayloadBytes?: number;
  /**
   * How long each wait in a check lasts before the check fails (the large payload gets four times
   * as long).
   * @default 5000 ({@link DEFAULT_WAIT_TIMEOUT_MS})
   */
  waitTimeoutMs?: number;
  /**
   * Runs once, after the last pair closed and before the leak check (or after the suite, when a
   * filtered run skips the leak check): close shared listeners here.
   */
  teardown?(): Promise<void>;
  /**
   * Options of the final leak check, or `false` to skip it.
   * @default {}
   */
  leakCheck?: LeakCheckOptions | false;
}

/** A {@link ConformanceTarget} with defaults filled in. @internal */
export interface ResolvedTarget {
  readonly target: ConformanceTarget;
  readonly resetIsVisibleToPeer: boolean;
  readonly resetErrorCodes: readonly string[];
  readonly largePayloadBytes: number;
  readonly waitTimeoutMs: number;
}

/** Fills in a target's defaults. @internal */
export function resolveTarget(target: ConformanceTarget): ResolvedTarget {
  return {
    target,
    resetIsVisibleToPeer: target.resetIsVisibleToPeer ?? true,
    resetErrorCodes: target.resetErrorCodes ?? DEFAULT_RESET_ERROR_CODES,
    largePayloadBytes: target.largePayloadBytes ?? DEFAULT_LARGE_PAYLOAD_BYTES,
    waitTimeoutMs: target.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
  };
}

/** Opens a pair, runs `body`, and always closes the pair, so a failing check leaks nothing. */
export async function withPair(
  target: ConformanceTarget,
  body: (pair: ConformancePair) => Promise<void>,
): Promise<void> {
  const pair = await target.openPair();
  try {
    await body(pair);
  } finally {
    await pair.close();
  }
}

/** Lets the event loop run: `turns` macrotasks, then a timer of `ms` (I/O gets its chance). */
export async function settle(ms = 20, turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/** Deterministic pseudo-random bytes (xorshift32): a shifted or repeated block cannot pass. */
export function noise(length: number, seed = 0x9e3779b9): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** Splits `bytes` into views of at most `size` bytes. */
export function slices(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}
