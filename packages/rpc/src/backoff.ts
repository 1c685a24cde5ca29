import { InvalidOptionError } from "@parley/framing";
import { optionNames } from "@parley/framing/internal";

/** Default first reconnect delay. gRPC starts at 1 s; local links recover faster, so Parley starts lower. */
export const DEFAULT_RECONNECT_INITIAL_DELAY_MS = 100;
/** Default ceiling of the reconnect delay. */
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 30_000;
/** Default growth factor between attempts (gRPC's connection-backoff value). */
export const DEFAULT_RECONNECT_MULTIPLIER = 1.6;
/** Default jitter: each delay is spread uniformly by +/- this fraction so clients disperse. */
export const DEFAULT_RECONNECT_JITTER = 0.2;

/** Reconnect settings of a client. Every field is optional. */
export interface BackoffOptions {
  /** First delay after a disconnect. @default 100 */
  initialDelayMs?: number;
  /** Upper bound of any delay. @default 30000 */
  maxDelayMs?: number;
  /** Factor applied after each failed attempt. @default 1.6 */
  multiplier?: number;
  /** Spread of each delay, as a fraction in [0, 1]. @default 0.2 */
  jitter?: number;
  /** Give up after this many failed attempts in a row. @default Infinity */
  maxAttempts?: number;
}

/** The fields of {@link BackoffOptions}, for the check that refuses any other. */
export const BACKOFF_OPTION_NAMES: readonly string[] = optionNames<BackoffOptions>({
  initialDelayMs: true,
  maxDelayMs: true,
  multiplier: true,
  jitter: true,
  maxAttempts: true,
});

/** Resolved, validated backoff settings. */
export type ResolvedBackoff = Readonly<Required<BackoffOptions>>;

/** Validates reconnect options once; throws `INVALID_OPTION` naming the field and the rule. */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const resolved = {
    initialDelayMs: options.initialDelayMs ?? DEFAULT_RECONNECT_INITIAL_DELAY_MS,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS,
    multiplier: options.multiplier ?? DEFAULT_RECONNECT_MULTIPLIER,
    jitter: options.jitter ?? DEFAULT_RECONNECT_JITTER,
    maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY,
  };
  const positive = (name: string, value: number) => {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new InvalidOptionError(`reconnect.${name} must be a finite number >= 0 (got ${value})`);
    }
  };
  positive("initialDelayMs", resolved.initialDelayMs);
  positive("maxDelayMs", resolved.maxDelayMs);
  if (!(resolved.multiplier >= 1) || !Number.isFinite(resolved.multiplier)) {
    throw new InvalidOptionError(
      `reconnect.multiplier must be a finite number >= 1 (got ${resolved.multiplier})`,
    );
  }
  if (!(resolved.jitter >= 0 && resolved.jitter <= 1)) {
    throw new InvalidOptionError(
      `reconnect.jitter must be between 0 and 1 (got ${resolved.jitter})`,
    );
  }
  if (!(resolved.maxAttempts >= 1)) {
    throw new InvalidOptionError(
      `reconnect.maxAttempts must be >= 1 (got ${resolved.maxAttempts})`,
    );
  }
  return Object.freeze(resolved);
}

/**
 * Exponential backoff with jitter: the delay before attempt n (0-based) is
 * min(initial * multiplier^n, max), spread by +/- jitter. `random` is injectable for tests.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly settings: ResolvedBackoff,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** True once `maxAttempts` delays have been handed out without a reset. */
  get exhausted(): boolean {
    return this.attempt >= this.settings.maxAttempts;
  }

  /** The delay to wait before the next attempt; advances the attempt counter. */
  nextDelayMs(): number {
    const { initialDelayMs, maxDelayMs, multiplier, jitter } = this.settings;
    const base = Math.min(initialDelayMs * multiplier ** this.attempt, maxDelayMs);
    this.attempt++;
    const spread = base * jitter * (this.random() * 2 - 1);
    return Math.max(0, Math.min(maxDelayMs, Math.round(base + spread)));
  }

  /** Called after a successful connection: the next failure starts from the initial delay again. */
  reset(): void {
    this.attempt = 0;
  }
}
