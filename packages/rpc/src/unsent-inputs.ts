/**
 * The inputs of a stream call that waits for a connection. Once the engine has taken their iterator
 * it owns them: it closes them when the call ends early (item-pump.ts). Until then they are the
 * client's, so a call that ends unsent, whether the wait ended (cancel, deadline, client closed) or
 * the engine refused it before writing the Request (a bad metadata entry, the picked connection
 * closing), closes them here: once, so their producer's `finally` runs, as for a stream under way.
 * A call refused before it started waiting (closed client, bad option, NOT_CONNECTED) never gets
 * here: its inputs stay unread, for a retry.
 */

import { closeInputs, INPUTS_SOURCE } from "@parley/peer/internal";

type AnySource = Partial<AsyncIterable<unknown> & Iterable<unknown>>;

/** A waiting call's inputs: what to hand the engine, and closing them if it never took them. */
export class UnsentInputs {
  private taken = false;
  private closed = false;

  constructor(private readonly source: unknown) {}

  /**
   * The inputs to send with the call: the same items, noting when the engine asks for their
   * iterator. Anything but an iterable goes as it is, for the engine to refuse.
   */
  forEngine(): unknown {
    const source = this.source as AnySource | null | undefined;
    if (source === null || typeof source !== "object") return source;
    const key =
      typeof source[Symbol.asyncIterator] === "function"
        ? Symbol.asyncIterator
        : typeof source[Symbol.iterator] === "function"
          ? Symbol.iterator
          : undefined;
    if (key === undefined) return source;
    return {
      [key]: () => {
        this.taken = true;
        return (source[key] as () => unknown).call(source);
      },
      // The engine closes these, not the wrapper, when the call ends unsent.
      [INPUTS_SOURCE]: source,
    };
  }

  /** The call ended: closes the inputs unless the engine took them or they are closed already. */
  close(): void {
    if (this.taken || this.closed) return;
    this.closed = true;
    closeInputs(this.source);
  }
}
