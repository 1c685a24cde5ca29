/**
 * Watches objects that should become garbage (closed connections, peers) through `WeakRef`s:
 * after a full collection (`collectAndMeasureHeap()`), {@link RetentionTracker.alive} says how
 * many are still reachable from somewhere: a timer, a table, a listener that was never removed.
 * A `WeakRef` keeps its target alive until the current job ends, so check after an `await` of a
 * macrotask (a timer), never in the same synchronous run that tracked them.
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
