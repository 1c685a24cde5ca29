import { InvalidOptionError } from "@parley/framing";
import {
  booleanOption,
  describe,
  integerAtLeast,
  nonNegativeNumber,
} from "@parley/framing/internal";

/**
 * Faults a chaos proxy applies to one direction of every connection. Byte offsets count from the
 * connection's start, or from the `setFaults` call for connections already open.
 */
export interface ChaosFaults {
  /** Hold every chunk (and the end-of-stream) this long before forwarding it; order is kept. */
  readonly delayMs: number;
  /** Forward each chunk as pieces of at most this many bytes, one piece per event-loop turn. */
  readonly chunkBytes: number | undefined;
  /** Flip every bit of the byte at this offset (the first `corruptAfterBytes` bytes pass intact). */
  readonly corruptAfterBytes: number | undefined;
  /** Forward this many bytes, then close the whole connection gracefully (FIN both ways). */
  readonly dropAfterBytes: number | undefined;
  /** Stop forwarding and stop reading, keeping both sockets open: the sender's buffers fill. */
  readonly blackhole: boolean;
}

/** Which direction {@link ChaosProxy.setFaults} acts on. */
export type ChaosDirection = "both" | "toTarget" | "toClient";

/** Options of {@link ChaosProxy.setFaults} and {@link ChaosProxy.clearFaults}. */
export interface SetFaultsOptions {
  /**
   * `toTarget`: bytes from the proxy's clients to the target; `toClient`: the replies.
   * @default "both"
   */
  direction?: ChaosDirection;
}

/** No faults: bytes pass through unchanged and at once. */
export const NO_FAULTS: ChaosFaults = Object.freeze({
  delayMs: 0,
  chunkBytes: undefined,
  corruptAfterBytes: undefined,
  dropAfterBytes: undefined,
  blackhole: false,
});

/**
 * Returns `current` with the fields present in `changes` replaced; a field present with the value
 * `undefined` goes back to its no-fault value.
 * @throws {InvalidOptionError} `INVALID_OPTION` naming the fault and its rule.
 */
export function mergeFaults(current: ChaosFaults, changes: Partial<ChaosFaults>): ChaosFaults {
  const next: { -readonly [K in keyof ChaosFaults]: ChaosFaults[K] } = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    switch (key) {
      case "delayMs":
        next.delayMs = value === undefined ? 0 : nonNegativeNumber("delayMs", value);
        break;
      case "chunkBytes":
        next.chunkBytes = value === undefined ? undefined : integerAtLeast("chunkBytes", value, 1);
        break;
      case "corruptAfterBytes":
      case "dropAfterBytes":
        next[key] = value === undefined ? undefined : integerAtLeast(key, value, 0);
        break;
      case "blackhole":
        next.blackhole = value === undefined ? false : booleanOption("blackhole", value, false);
        break;
      default:
        throw new InvalidOptionError(
          `unknown fault ${describe(key)}; faults are delayMs, chunkBytes, corruptAfterBytes, dropAfterBytes, blackhole`,
        );
    }
  }
  return Object.freeze(next);
}

/** Checks a `direction` option. @throws {InvalidOptionError} `INVALID_OPTION`. */
export function resolveDirection(direction: unknown = "both"): ChaosDirection {
  if (direction === "both" || direction === "toTarget" || direction === "toClient")
    return direction;
  throw new InvalidOptionError(
    `direction must be "both", "toTarget" or "toClient", got ${describe(direction)}`,
  );
}
