/**
 * Watches objects that should become garbage (closed connections, peers) through `WeakRef`s:
 * after a full collection (`collectAndMeasureHeap()`), {@link RetentionTracker.alive} says how
 * many are still reachable from somewhere: a timer, a table, a listener that was never removed.
 */
export class RetentionTracker {
  private readonly refs: WeakRef<object>[] = [];

  /** Starts watching `target`. */
  track(target: object): void {
    this.refs.push(new WeakRef(target));
  }

  /** How many objects were tracked. */
  get tracked(): number {
    return this.refs.length;
  }

  /** How many tracked objects are still alive; run a full collection first. */
  alive(): number {
    return this.refs.filter((ref) => ref.deref() !== undefined).length;
  }
}
