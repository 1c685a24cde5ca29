/**
 * Offset of the first byte where `actual` and `expected` differ, `-1` when they are equal. A length
 * mismatch differs at the shorter length. Use it instead of deep equality on large buffers: it
 * runs at memcmp speed (deep equality takes seconds on megabytes) and says where they part.
 * @example
 * expect(firstDifference(received, payload)).toBe(-1);
 */
export function firstDifference(actual: Uint8Array, expected: Uint8Array): number {
  const length = Math.min(actual.byteLength, expected.byteLength);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return -1;
  // Halve the range while the halves are equal: O(log n) comparisons, each at memcmp speed.
  let low = 0;
  let high = length;
  while (high - low > 64) {
    const middle = (low + high) >>> 1;
    if (a.subarray(low, middle).equals(b.subarray(low, middle))) low = middle;
    else high = middle;
  }
  for (let i = low; i < high; i++) if (a[i] !== b[i]) return i;
  return length;
}
