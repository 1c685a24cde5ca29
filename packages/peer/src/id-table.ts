/**
 * The calls of one direction in flight, by request id: the caller's pending calls, the handler
 * side's running ones. Ids follow one another (a caller assigns them in order), so each entry
 * sits in the slot `id & mask` of an array, and a lookup is an index and a compare. A Map costs
 * about 110 ns for the has/set/get/delete of every call (V8 rebuilds its table every few
 * deletions when keys keep growing); the slot costs a few (benchmarks/src/micro/engine.ts).
 *
 * An id whose slot is taken (a long call still holds it, or a remote that picks colliding ids)
 * goes to a Map beside the array, so no id distribution makes a lookup worse than the Map alone.
 * The array doubles while more than half of it is in use; the size is bounded by the limits on
 * calls in flight (`maxPendingCalls`, the handler limits).
 */

/** What an entry must have: its request id, which never changes while it is in the table. */
export interface IdEntry {
  readonly id: number;
}

const INITIAL_SLOTS = 64;

/** Entries by request id: an array of slots, and a Map for ids whose slot is taken. */
export class IdTable<T extends IdEntry> {
  private slots: (T | undefined)[] = new Array(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  private readonly overflow = new Map<number, T>();
  private count = 0;

  /** Entries in the table. */
  get size(): number {
    return this.count;
  }

  get(id: number): T | undefined {
    const entry = this.slots[id & this.mask];
    if (entry !== undefined && entry.id === id) return entry;
    return this.overflow.size === 0 ? undefined : this.overflow.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Adds `entry` under its id, which must not be in the table. */
  add(entry: T): void {
    if (this.count * 2 >= this.slots.length) this.grow();
    this.count++;
    this.place(entry);
  }

  /** Removes the entry under `id`, if any. */
  delete(id: number): void {
    const slot = id & this.mask;
    const entry = this.slots[slot];
    if (entry !== undefined && entry.id === id) {
      this.slots[slot] = undefined;
      this.count--;
    } else if (this.overflow.delete(id)) {
      this.count--;
    }
  }

  /** Every entry, in no set order (a copy: the caller may delete while it walks them). */
  values(): T[] {
    const out: T[] = [];
    for (const entry of this.slots) if (entry !== undefined) out.push(entry);
    for (const entry of this.overflow.values()) out.push(entry);
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.overflow.clear();
    this.count = 0;
  }

  private place(entry: T): void {
    const slot = entry.id & this.mask;
    if (this.slots[slot] === undefined) this.slots[slot] = entry;
    else this.overflow.set(entry.id, entry);
  }

  /** Doubles the array and places every entry again (overflowed ones may now find their slot). */
  private grow(): void {
    const entries = this.values();
    const length = this.slots.length * 2;
    this.slots = new Array(length).fill(undefined);
    this.mask = length - 1;
    this.overflow.clear();
    for (const entry of entries) this.place(entry);
  }
}
