/**
 * A growable ring buffer. Raw node:net and zeromq pair responses with requests by order (one
 * connection, an in-order echo server), so the client needs a queue whose shift is O(1): an array's
 * `shift()` copies once it grows past V8's small-array fast path.
 */
export class Fifo<T> {
  private items: (T | undefined)[] = new Array(64);
  private head = 0;
  private count = 0;

  /** Number of queued items. */
  get size(): number {
    return this.count;
  }

  /** Appends an item. */
  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  /** Removes every item, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  private grow(): void {
    const next: (T | undefined)[] = new Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}

/** The two halves of a pending promise. */
export interface Settler<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}
