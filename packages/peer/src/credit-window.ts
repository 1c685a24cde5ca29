/**
 * Per-stream flow control (docs/protocol.md §12.3), as two pure counters for one stream direction:
 * the sending end's {@link SendWindow} (may it send the next item?) and the receiving end's
 * {@link ReceiveWindow} (did the item have credit? is it time to return some?). No timers, no
 * frames: the engine asks them and writes the Credit frames itself.
 *
 * Credit is counted in items and in bytes, an item's size being its frame's payload length. An item
 * may go out with at least 1 item and 1 byte of credit left, and byte credit may then go negative:
 * an item larger than the whole byte window can still be sent, so the receiver buffers at most its
 * byte window plus one frame, and never deadlocks on a large item.
 */

/** Default `streamWindowItems`: items a receiver takes per stream direction before it grants more. */
export const DEFAULT_STREAM_WINDOW_ITEMS = 256;
/** Default `streamWindowBytes`: bytes a receiver takes per stream direction before it grants more. */
export const DEFAULT_STREAM_WINDOW_BYTES = 1_048_576;
/** Largest credit either count may reach (the u32 of a Credit frame and of the Hello windows). */
export const MAX_STREAM_CREDIT = 0xffff_ffff;

/** Credit in both units: what a Hello advertises, a Credit frame grants, a window holds. */
export interface StreamCredit {
  readonly items: number;
  readonly bytes: number;
}

/** The sending end of one stream direction. */
export class SendWindow {
  private items: number;
  private bytes: number;

  /** @param initial the receiver's advertised window (its Hello's `streamWindowItems/Bytes`). */
  constructor(initial: StreamCredit) {
    this.items = initial.items;
    this.bytes = initial.bytes;
  }

  /** True when one more item may be sent now. */
  get open(): boolean {
    return this.items >= 1 && this.bytes >= 1;
  }

  /** Credit left; `bytes` may be below zero after an item larger than what was left. */
  get credit(): StreamCredit {
    return { items: this.items, bytes: this.bytes };
  }

  /**
   * Spends the credit of one item of `size` bytes. Returns false, spending nothing, when the window
   * is not {@link open}: sending it anyway would be a protocol error on the other side.
   */
  take(size: number): boolean {
    if (!this.open) return false;
    this.items -= 1;
    this.bytes -= size;
    return true;
  }

  /**
   * Adds a Credit frame's grant. Returns false, adding nothing, when either count would pass
   * 2^32 - 1: a protocol error of the granting side.
   */
  grant(items: number, bytes: number): boolean {
    if (this.items + items > MAX_STREAM_CREDIT || this.bytes + bytes > MAX_STREAM_CREDIT) {
      return false;
    }
    this.items += items;
    this.bytes += bytes;
    return true;
  }
}

/**
 * The receiving end of one stream direction: it counts the sender's credit as the sender does, and
 * returns credit in batches as its consumer takes items, once half the window in items or in bytes
 * has been taken since the last grant. A blocked sender has a whole window outstanding, so when the
 * consumer has taken it all a grant is always due: batching never deadlocks.
 */
export class ReceiveWindow {
  /** The sender's credit as this side counts it. */
  private items: number;
  private bytes: number;
  /** Taken by the consumer since the last grant. */
  private takenItems = 0;
  private takenBytes = 0;
  private readonly itemsThreshold: number;
  private readonly bytesThreshold: number;

  /** @param window this side's advertised window (its own `streamWindowItems/Bytes`, each >= 1). */
  constructor(window: StreamCredit) {
    this.items = window.items;
    this.bytes = window.bytes;
    this.itemsThreshold = Math.ceil(window.items / 2);
    this.bytesThreshold = Math.ceil(window.bytes / 2);
  }

  /**
   * An item of `size` bytes arrived. Returns false when the sender had no credit for it (no item
   * left, or no byte left): a protocol error, fatal to the connection.
   */
  receive(size: number): boolean {
    if (this.items < 1 || this.bytes < 1) return false;
    this.items -= 1;
    this.bytes -= size;
    return true;
  }

  /**
   * The consumer took an item of `size` bytes from the buffer. Returns the credit to send back now
   * (a Credit frame), or undefined while the batch is still short of half a window.
   */
  consume(size: number): StreamCredit | undefined {
    this.takenItems += 1;
    this.takenBytes += size;
    if (this.takenItems < this.itemsThreshold && this.takenBytes < this.bytesThreshold) {
      return undefined;
    }
    const grant = { items: this.takenItems, bytes: this.takenBytes };
    this.items += grant.items;
    this.bytes += grant.bytes;
    this.takenItems = 0;
    this.takenBytes = 0;
    return grant;
  }
}
