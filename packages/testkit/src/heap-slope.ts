import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** One heap measurement: `x` counts the work done so far (calls, cycles), `bytes` the heap used. */
export interface HeapSample {
  readonly x: number;
  readonly bytes: number;
}

let gc: (() => void) | undefined;

/**
 * Runs a full garbage collection (twice, so objects freed by finalizers go too) and returns
 * `process.memoryUsage().heapUsed`. Works without `--expose-gc`: the flag is set at run time and
 * `gc` taken from a fresh context, as V8 only installs it in contexts created after the flag.
 */
export function collectAndMeasureHeap(): number {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The least-squares slope of `bytes` over `x` in bytes per unit of `x` (per call, per cycle):
 * a leak shows as a slope that stays up however long the run, noise as one that falls with length.
 * @throws {RangeError} with fewer than two samples or when every `x` is the same.
 */
export function heapSlope(samples: readonly HeapSample[]): number {
  const n = samples.length;
  if (n < 2) throw new RangeError(`heapSlope needs at least 2 samples, got ${n}`);
  const meanX = samples.reduce((sum, s) => sum + s.x, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + s.bytes, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.x - meanX) * (s.bytes - meanY);
    variance += (s.x - meanX) ** 2;
  }
  if (variance === 0) throw new RangeError("heapSlope needs samples at two different x at least");
  return covariance / variance;
}
