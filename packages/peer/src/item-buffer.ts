/**
 * The receiving end of one stream direction (docs/protocol.md §12.3): the items that arrived and
 * are not taken yet, read as an async iterator (the caller's `for await`, the handler's
 * `ctx.inputs`), and the credit returned to the sender in batches as the consumer takes them. It
 * holds at most this side's advertised window plus one frame: the {@link ReceiveWindow} says when a
 * sender went past it, which the owner treats as the protocol error it is.
 */
import { ReceiveWindow, type StreamCredit } from "./credit-window.js";
import { FifoQueue } from "./fifo-queue.js";

/** What a buffer tells the stream it belongs to. */
export interface ItemBufferOwner {
  /** The consumer took enough to return credit: write a Credit frame. */
  grant(credit: StreamCredit): void;
  /** The consumer stopped early (`break`, `return()`): the stream may end the call. */
  onReturn(): void;
}

/** Bytes buffered by every stream of a peer (a gauge of its stats). */
export interface BufferCounters {
  streamBytesBuffered: number;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** Items received and not yet taken, as an async iterator. */
export class ItemBuffer implements AsyncIterableIterator<unknown> {
  private readonly values = new FifoQueue<unknown>();
  private readonly sizes = new FifoQueue<number>();
  private readonly window: ReceiveWindow;
  /** No more items will arrive: the stream ended (with `error`, or cleanly). */
  private ended = false;
  /** The consumer stopped reading: items are dropped. */
  private returned = false;
  private error: Error | undefined;
  /** The consumer's `next()` waiting for an item. */
  private waiting: Waiter | undefined;
  /** More `next()` calls made before the first was answered, in order (rare: `for await` waits). */
  private alsoWaiting: Waiter[] | undefined;
  /** Bytes of the items held here that the gauge counts (none once the stream ended). */
  private counted = 0;

  constructor(
    window: StreamCredit,
    private readonly owner: ItemBufferOwner,
    private readonly counters: BufferCounters,
  ) {
    this.window = new ReceiveWindow(window);
  }

  /** True once the stream ended or the consumer stopped: nothing more will be read. */
  get closed(): boolean {
    return this.ended || this.returned;
  }

  /**
   * Counts an arriving item of `size` bytes against the window. False when the sender had no
   * credit for it: a protocol error.
   */
  admit(size: number): boolean {
    return this.window.receive(size);
  }

  /** Buffers an admitted item, or hands it to a consumer waiting for one. */
  push(value: unknown, size: number): void {
    if (this.closed) return;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = this.alsoWaiting?.shift();
      waiting.resolve(this.taken(value, size));
      return;
    }
    this.values.push(value);
    this.sizes.push(size);
    this.counted += size;
    this.counters.streamBytesBuffered += size;
  }

  /**
   * No more items: the consumer gets what is buffered, then the end, or `error` thrown. Once only;
   * no credit is returned after it. What is still buffered is the consumer's from now on, no
   * longer the connection's: it leaves the gauge (a caller may await only `result` and never read).
   */
  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.counters.streamBytesBuffered -= this.counted;
    this.counted = 0;
    const waiting = this.waiting;
    if (waiting === undefined) return;
    this.waiting = undefined;
    if (error === undefined) waiting.resolve(DONE);
    else waiting.reject(error);
    // As an async generator answers next() calls queued behind its throw: the end.
    for (const also of this.takeAlsoWaiting()) also.resolve(DONE);
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.values.length > 0) {
      const size = this.sizes.shift()!;
      if (!this.ended) {
        this.counted -= size;
        this.counters.streamBytesBuffered -= size;
      }
      return Promise.resolve(this.taken(this.values.shift(), size));
    }
    if (this.returned) return Promise.resolve(DONE);
    if (this.ended)
      return this.error === undefined ? Promise.resolve(DONE) : Promise.reject(this.error);
    const waiter = new Waiter();
    if (this.waiting === undefined) this.waiting = waiter;
    else if (this.alsoWaiting === undefined) this.alsoWaiting = [waiter];
    else this.alsoWaiting.push(waiter);
    return waiter.promise;
  }

  /** The consumer stops (`break` out of `for await`): drops what is buffered, tells the owner. */
  return(): Promise<IteratorResult<unknown>> {
    if (!this.returned) {
      this.returned = true;
      this.drop();
      this.waiting?.resolve(DONE);
      this.waiting = undefined;
      for (const also of this.takeAlsoWaiting()) also.resolve(DONE);
      if (!this.ended) this.owner.onReturn();
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }

  /** Empties the buffer (the stream was cut off: nobody will read these). */
  drop(): void {
    this.sizes.drain();
    this.values.drain();
    this.counters.streamBytesBuffered -= this.counted;
    this.counted = 0;
  }

  private takeAlsoWaiting(): Waiter[] {
    const also = this.alsoWaiting ?? [];
    this.alsoWaiting = undefined;
    return also;
  }

  /** An item taken by the consumer: its credit counts toward the next grant. */
  private taken(value: unknown, size: number): IteratorResult<unknown> {
    const grant = this.window.consume(size);
    if (grant !== undefined && !this.ended) this.owner.grant(grant);
    return { done: false, value };
  }
}

/** A consumer waiting for the next item (Node 20 has no Promise.withResolvers). */
class Waiter {
  resolve!: (result: IteratorResult<unknown>) => void;
  reject!: (error: Error) => void;
  readonly promise = new Promise<IteratorResult<unknown>>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}
