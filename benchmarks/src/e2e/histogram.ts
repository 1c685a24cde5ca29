/**
 * A latency histogram in the HdrHistogram layout: linear buckets below 128 ns, then 64 buckets per
 * power of two, so every recorded value is kept within 1/128 (< 0.8 %) of its true value with a
 * fixed 18 KiB of counts, however many requests are recorded. Values are nanoseconds up to 2^40
 * (about 18 minutes); anything larger lands in the last bucket, and `max` stays exact.
 */

const SUB_BUCKET_BITS = 7;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS; // 128 linear buckets for the smallest values
const HALF = SUB_BUCKETS >> 1; // 64 buckets per power of two above them
const MAX_MAGNITUDE = 40;
const BUCKETS = SUB_BUCKETS + (MAX_MAGNITUDE - SUB_BUCKET_BITS + 1) * HALF;

/** Percentiles of a recorded distribution, in microseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
}

function magnitudeOf(value: number): number {
  // clz32 covers values below 2^32 ns (4.3 s), which is every sane latency; log2 covers the rest.
  return value < 0x1_0000_0000 ? 31 - Math.clz32(value) : Math.floor(Math.log2(value));
}

/** Records latencies and answers percentile queries. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sumNs = 0;
  private maxNs = 0;

  /** Number of recorded values. */
  get count(): number {
    return this.total;
  }

  /** Records one latency in nanoseconds (negative values count as zero). */
  recordNs(valueNs: number): void {
    const value = valueNs > 0 ? Math.round(valueNs) : 0;
    this.counts[LatencyHistogram.indexOf(value)]!++;
    this.total++;
    this.sumNs += value;
    if (value > this.maxNs) this.maxNs = value;
  }

  /** Value (ns) at quantile `q` in [0, 1]: the smallest recorded bucket covering that share. */
  quantileNs(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) return Math.min(LatencyHistogram.midpointOf(index), this.maxNs);
    }
    return this.maxNs;
  }

  /** Summary in microseconds. */
  summary(): LatencySummary {
    const us = (ns: number): number => ns / 1000;
    return {
      count: this.total,
      meanUs: this.total === 0 ? 0 : us(this.sumNs / this.total),
      p50Us: us(this.quantileNs(0.5)),
      p90Us: us(this.quantileNs(0.9)),
      p99Us: us(this.quantileNs(0.99)),
      p999Us: us(this.quantileNs(0.999)),
      maxUs: us(this.maxNs),
    };
  }

  /** Bucket holding `value` (a non-negative integer). */
  static indexOf(value: number): number {
    if (value < SUB_BUCKETS) return value;
    const magnitude = Math.min(magnitudeOf(value), MAX_MAGNITUDE);
    const shift = magnitude - (SUB_BUCKET_BITS - 1);
    const mantissa = Math.min(Math.floor(value / 2 ** shift), SUB_BUCKETS - 1); // in [64, 127]
    return SUB_BUCKETS + (magnitude - SUB_BUCKET_BITS) * HALF + (mantissa - HALF);
  }

  /** The value reported for a bucket: the middle of its range. */
  static midpointOf(index: number): number {
    if (index < SUB_BUCKETS) return index;
    const magnitude = SUB_BUCKET_BITS + Math.floor((index - SUB_BUCKETS) / HALF);
    const mantissa = HALF + ((index - SUB_BUCKETS) % HALF);
    const width = 2 ** (magnitude - (SUB_BUCKET_BITS - 1));
    return mantissa * width + width / 2;
  }
}
