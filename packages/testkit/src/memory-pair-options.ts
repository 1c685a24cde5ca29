import { InvalidOptionError } from "@parley/framing";
import {
  describe,
  integerAtLeast,
  nonNegativeNumber,
  requiredString,
} from "@parley/framing/internal";

/** Bytes a memory connection may hold undelivered before `write()` returns `false`. */
export const DEFAULT_HIGH_WATER_MARK_BYTES = 64 * 1024;
/** Delivery delay of a memory pair: 0 means "on the next macrotask" (`setImmediate`). */
export const DEFAULT_LATENCY_MS = 0;
/** Address labels of a memory pair's two ends, first end first. */
export const DEFAULT_MEMORY_NAMES: readonly [string, string] = Object.freeze([
  "memory:a",
  "memory:b",
]) as readonly [string, string];

/** Options of {@link createMemoryPair}; every field is optional. */
export interface MemoryPairOptions {
  /**
   * `write()` returns `false` once this many bytes written by one side are still undelivered.
   * @default 65536 ({@link DEFAULT_HIGH_WATER_MARK_BYTES})
   */
  highWaterMarkBytes?: number;
  /**
   * Re-cut every write into chunks of at most this many bytes before delivery, to exercise every
   * split point of a decoder. Unset: each write arrives as one chunk.
   * @default undefined (no re-cutting)
   */
  chunkBytes?: number;
  /**
   * Deliver each write this many milliseconds after it was made. 0 delivers on the next macrotask.
   * @default 0 ({@link DEFAULT_LATENCY_MS})
   */
  latencyMs?: number;
  /**
   * Address labels of the two ends: the first end's `localAddress` is `names[0]` and its
   * `remoteAddress` is `names[1]`; the second end sees them the other way round.
   * @default ["memory:a", "memory:b"] ({@link DEFAULT_MEMORY_NAMES})
   */
  names?: readonly [string, string];
}

/** {@link MemoryPairOptions} checked once, with defaults filled in. */
export interface ResolvedMemoryPairOptions {
  readonly highWaterMarkBytes: number;
  readonly chunkBytes: number | undefined;
  readonly latencyMs: number;
  readonly names: readonly [string, string];
}

/**
 * Checks the options and fills in defaults.
 * @throws {InvalidOptionError} `INVALID_OPTION` naming the option and its rule.
 */
export function resolveMemoryPairOptions(
  options: MemoryPairOptions = {},
): ResolvedMemoryPairOptions {
  const { highWaterMarkBytes, chunkBytes, latencyMs, names } = options;
  return Object.freeze({
    highWaterMarkBytes:
      highWaterMarkBytes === undefined
        ? DEFAULT_HIGH_WATER_MARK_BYTES
        : integerAtLeast("highWaterMarkBytes", highWaterMarkBytes, 1),
    chunkBytes: chunkBytes === undefined ? undefined : integerAtLeast("chunkBytes", chunkBytes, 1),
    latencyMs:
      latencyMs === undefined ? DEFAULT_LATENCY_MS : nonNegativeNumber("latencyMs", latencyMs),
    names: names === undefined ? DEFAULT_MEMORY_NAMES : resolveNames(names),
  });
}

function resolveNames(names: unknown): readonly [string, string] {
  if (!Array.isArray(names) || names.length !== 2) {
    throw new InvalidOptionError(`names must be an array of two strings, got ${describe(names)}`);
  }
  return Object.freeze([
    requiredString("names[0]", names[0]),
    requiredString("names[1]", names[1]),
  ]) as readonly [string, string];
}
