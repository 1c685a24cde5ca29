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
type Source = AsyncIterator<unknown, unknown> | Iterator<unknown, unknown>;

/** Sends a source's items under credit. */
export class ItemPump {
  private readonly window: SendWindow;
  private stopped = false;
  private finished = false;
  private wake: (() => void) | undefined;
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
   * {@link stop} it settles (undefined) as soon as the source lets go.
   */
  async run(): Promise<unknown> {
    try {
      for (;;) {
        // No credit, or the connection's output backed up: the source stays at its `yield`.
        if (!this.window.open || this.link.blocked) {
          await this.waitForRoom();
          if (this.stopped) return undefined;
          continue;
        }
        const next = await this.source.next();
        if (this.stopped) return undefined;
        if (next.done === true) return next.value;
        this.send(next.value);
      }
    } finally {
      this.finished = true;
    }
  }

  /**
   * Adds a Credit frame's grant. False when it would take the window past 2^32 - 1: a protocol
   * error of the receiver.
   */
  grant(items: number, bytes: number): boolean {
    if (!this.window.grant(items, bytes)) return false;
    if (this.window.open) this.wakeUp();
    return true;
  }

  /**
   * Stops sending: the call ended early. The source's `return()` runs, so a generator's `finally`
   * (and an inputs producer's) runs.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wakeUp();
    if (this.finished) return;
    try {
      const returned = this.source.return?.();
      if (isThenable(returned)) returned.then(undefined, ignore);
    } catch {
      // A source whose return() throws has nothing more to release.
    }
  }

  /** Resolves on a grant, on writable output, or on {@link stop}, whichever comes first. */
  private waitForRoom(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      if (this.window.open) this.link.whenWritable(resolve);
    });
  }

  private send(item: unknown): void {
    const frame = this.owner.frame(item);
    this.window.take(frame.byteLength - this.link.wire.frameOverheadBytes);
    this.sent++;
    this.owner.write(frame);
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function ignore(): void {}
