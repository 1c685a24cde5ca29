/**
 * A FIFO with O(1) push and shift: an array and a head index, compacted when the dead prefix
 * dominates (`Array.prototype.shift` is O(n) once V8 leaves its fast path).
 */
export class FifoQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** Number of items queued. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds `item` at the tail. */
  push(item: T): void {
    this.items.push(item);
  }

  /** The head item, without removing it. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** Removes and returns the head item. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes every item and returns them in order. */
  drain(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }
}
