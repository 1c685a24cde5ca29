import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "../src/e2e/histogram.js";

describe("LatencyHistogram", () => {
  it("reports percentiles within 1% of the exact order statistics", () => {
    const histogram = new LatencyHistogram();
    const values: number[] = [];
    let seed = 42;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const ns = 1_000 + (seed % 5_000_000); // 1 µs .. 5 ms
      values.push(ns);
      histogram.recordNs(ns);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      expect(Math.abs(histogram.quantileNs(q) - exact) / exact).toBeLessThan(0.01);
    }
    expect(histogram.count).toBe(20_000);
  });

  it("keeps small values exact and the maximum exact beyond the last bucket", () => {
    const histogram = new LatencyHistogram();
    histogram.recordNs(5);
    histogram.recordNs(2 ** 45); // beyond the 2^40 ns range
    expect(histogram.quantileNs(0.5)).toBe(5);
    expect(histogram.summary().maxUs).toBe(2 ** 45 / 1000);
    expect(histogram.quantileNs(1)).toBeLessThanOrEqual(2 ** 45);
  });

  it("maps values to buckets monotonically, each bucket's midpoint inside its range", () => {
    let previous = -1;
    for (
      let value = 0;
      value < 1_000_000;
      value = value < 256 ? value + 1 : Math.ceil(value * 1.003)
    ) {
      const index = LatencyHistogram.indexOf(value);
      expect(index).toBeGreaterThanOrEqual(previous);
      previous = index;
      const midpoint = LatencyHistogram.midpointOf(index);
      expect(Math.abs(midpoint - value) / Math.max(1, value)).toBeLessThanOrEqual(1 / 128);
    }
  });

  it("summarises an empty histogram as zeros", () => {
    expect(new LatencyHistogram().summary()).toEqual({
      count: 0,
      meanUs: 0,
      p50Us: 0,
      p90Us: 0,
      p99Us: 0,
      p999Us: 0,
      maxUs: 0,
    });
  });
});
