/** Lets the event loop run `count` full turns (macrotasks), so queued deliveries get their chance. */
export async function turns(count = 5): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Bytes 0..length-1 cycling through 0..250 (a prime-ish period catches shifted or dropped bytes). */
export function pattern(length: number, seed = 0): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (i + seed) % 251;
  return bytes;
}
