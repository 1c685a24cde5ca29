/**
 * The sending end of one stream direction (docs/protocol.md §12.3): pulls items from a source (a
 * handler's async generator, a caller's `inputs`) only while the receiver's window has room, and
 * writes each as one frame. A source is never read ahead of the credit, so a stalled receiver
 * holds the producer at its `yield` and nothing piles up on this side. Frames of one turn leave in
 * one write (the outbox batches them).
 */
import { SendWindow, type StreamCredit } from "./credit-window.js";
import type { Frame } from "./split-frame.js";
import type { StreamContext } from "./stream-ports.js";
import { isThenable } from "./thenable.js";

/** What a pump needs from its stream. */
export interface ItemPumpOwner {
  /**
   * The frame for one item and its size (the payload length credit counts).
   * @throws for an item that cannot be sent (invalid, too large): the source's direction fails.
   */
  frame(item: unknown): Frame;
  /** Queues a frame for this turn's write. */
  write(frame: Frame): void;
}

/**
 * What a pump needs from the connection: whether its output is backed up (the outbox is blocked:
 * wait before the next item), a wake-up once it is writable again, and a frame's overhead.
 */
export type PumpLink = Pick<StreamContext, "blocked" | "whenWritable" | "wire">;

/** Either kind of source: an async iterator, or a sync one (an array of inputs). */
export type Source = AsyncIterator<unknown, unknown> | Iterator<unknown, unknown>;

/** Sends a source's items under credit. */
export class ItemPump {
  private readonly window: SendWindow;
  private stopped = false;
  private finished = false;
  /** Waiting for credit or writable output: {@link resume} goes on. */
  private waiting = false;
  private settle: ((value: unknown) => void) | undefined;
  private fail: ((error: unknown) => void) | undefined;
  // Bound once: they are the continuation of every item, not a closure per item.
  private readonly onResult = (result: IteratorResult<unknown, unknown>): void => {
    if (this.take(result)) this.pull();
  };
  private readonly onError = (error: unknown): void => {
    this.end(error, true);
  };
  private readonly resumeBound = (): void => this.resume();
  /** Items written. */
  sent = 0;

  constructor(
    window: StreamCredit,
    private readonly source: Source,
    private readonly owner: ItemPumpOwner,
    private readonly link: PumpLink,
  ) {
    this.window = new SendWindow(window);
  }

  /**
   * Sends items until the source ends, and resolves with its return value (a generator's final
   * output). Rejects with what the source threw, or with why an item could not be sent. After
   * {@link stop} it settles (undefined) as soon as the source lets go. Once only.
   *
   * Driven by callbacks on the source's promises rather than an async loop: an item then costs the
   * source's own promise and nothing more, and a sync source (an array of inputs) is read without
   * a tick per item, still no further than the credit and the output allow.
   */
  run(): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
      this.pull();
    });
  }

  /**
   * Adds a Credit frame's grant. False when it would take the window past 2^32 - 1: a protocol
   * error of the receiver.
   */
  grant(items: number, bytes: number): boolean {
    if (!this.window.grant(items, bytes)) return false;
    if (this.window.open) this.resume();
    return true;
  }

  /**
   * Stops sending: the call ended early. The source's `return()` runs, so a generator's `finally`
   * (and an inputs producer's) runs.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const over = this.finished;
    // Waiting for room: nothing of the source is pending, so the pump is over now.
    if (this.waiting) this.end(undefined, false);
    if (over) return;
    this.release();
  }

  /** Lets the source go: it is left at a `yield`. */
  private release(): void {
    releaseSource(this.source);
  }

  /** Pulls items while the window and the output have room; a sync source in one loop. */
  private pull(): void {
    for (;;) {
      // No credit, or the connection's output backed up: the source stays at its `yield`.
      if (!this.window.open || this.link.blocked) {
        this.waiting = true;
        if (this.window.open) this.link.whenWritable(this.resumeBound);
        return;
      }
      let next: IteratorResult<unknown, unknown> | PromiseLike<IteratorResult<unknown, unknown>>;
      try {
        next = this.source.next();
      } catch (error) {
        this.end(error, true);
        return;
      }
      if (isThenable(next)) {
        next.then(this.onResult, this.onError);
        return;
      }
      if (!this.take(next)) return;
    }
  }

  /** Woken by a grant or writable output: goes on, or ends when stopped meanwhile. */
  private resume(): void {
    if (!this.waiting) return; // a wake-up for a wait already over
    this.waiting = false;
    if (this.stopped) this.end(undefined, false);
    else this.pull();
  }

  /** One result of the source: false when the pump is over (the source ended, or it stopped). */
  private take(result: IteratorResult<unknown, unknown>): boolean {
    if (this.stopped) return this.end(undefined, false);
    if (result.done === true) return this.end(result.value, false);
    try {
      this.send(result.value);
    } catch (error) {
      // The item cannot go (invalid, too large): the source, paused at its `yield`, is let go.
      this.release();
      return this.end(error, true);
    }
    return true;
  }

  /** Settles {@link run} once, with `value` or, `failed`, its rejection. Returns false. */
  private end(value: unknown, failed: boolean): false {
    if (this.finished) return false;
    this.finished = true;
    this.waiting = false;
    if (failed) this.fail!(value);
    else this.settle!(value);
    return false;
  }

  private send(item: unknown): void {
    const frame = this.owner.frame(item);
    this.window.take(frame.byteLength - this.link.wire.frameOverheadBytes);
    this.sent++;
    this.owner.write(frame);
  }
}

/**
 * Runs a source's `return()`, so its producer's `finally` does (a generator's, an inputs
 * stream's); what it throws or rejects with is ignored: such a source has nothing more to release.
 */
export function releaseSource(source: Source): void {
  try {
    const returned = source.return?.();
    if (isThenable(returned)) returned.then(undefined, ignore);
  } catch {
    // Nothing more to release.
  }
}

function ignore(): void {}
