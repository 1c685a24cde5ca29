/**
 * Request ids: u32, never 0, assigned in write order, wrapping from 0xFFFFFFFF to 1 and skipping ids
 * still in flight. Bye's "last accepted id" is compared with serial-number arithmetic (RFC 1982), so
 * the comparison stays right across the wrap as long as fewer than 2^31 calls are in flight (the
 * pending limit keeps it under 2^20).
 */
import { MAX_ID } from "./wire-constants.js";

/** The id after `last` that `inUse` does not hold (0 is never returned). */
export function nextId(last: number, inUse: { has(id: number): boolean }): number {
  let id = last >= MAX_ID ? 1 : last + 1;
  while (inUse.has(id)) id = id >= MAX_ID ? 1 : id + 1;
  return id;
}

/** True when id `a` comes after id `b` in serial-number order on 32 bits. */
export function isSerialAfter(a: number, b: number): boolean {
  const distance = (a - b) >>> 0;
  return distance !== 0 && distance < 0x8000_0000;
}
