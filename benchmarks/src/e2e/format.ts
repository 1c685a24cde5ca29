/** Number formatting shared by the progress line, the goals and the markdown report. */

/** `64 B`, `1 KiB`, `64 KiB`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${trim(bytes / 1024)} KiB`;
  return `${trim(bytes / (1024 * 1024))} MiB`;
}

/** `950`, `12.3k`, `1.25M`: three significant digits. */
export function formatCount(value: number): string {
  if (value < 1000) return trim(value, 3);
  if (value < 1_000_000) return `${trim(value / 1000, 3)}k`;
  return `${trim(value / 1_000_000, 3)}M`;
}

/** Microseconds as `45 µs`, `1.23 ms`, `2.5 s`. */
export function formatMicros(us: number): string {
  if (us < 1000) return `${trim(us, 3)} µs`;
  if (us < 1_000_000) return `${trim(us / 1000, 3)} ms`;
  return `${trim(us / 1_000_000, 3)} s`;
}

/** A ratio as `0.45×`, `12×`. */
export function formatRatio(ratio: number): string {
  return `${trim(ratio, ratio < 1 ? 2 : 3)}×`;
}

/** Seconds as `m:ss`. */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** A point's short name: `tcp c=64 1 KiB`. */
export function pointName(transport: string, concurrency: number, payloadBytes: number): string {
  return `${transport} c=${concurrency} ${formatBytes(payloadBytes)}`;
}

/** `value` with `digits` significant digits, without trailing zeros. */
function trim(value: number, digits = 3): string {
  if (value === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return String(Number(value.toFixed(decimals)));
}
