/**
 * The discarding state of a {@link DelimiterDecoder} with `tooLongLine: "discard"`: after a line is
 * found too long, its bytes are dropped as they arrive until its delimiter, and decoding resumes
 * after it (Netty's `DelimiterBasedFrameDecoder` and `LineBasedFrameDecoder` do the same in their
 * discarding mode). Only the last `delimiter.length - 1` bytes are kept, to spot a delimiter that
 * straddles two chunks, so a discarded line costs no memory whatever its size.
 */
export class LineDiscarder {
  private readonly delimiter: Uint8Array;
  /** The last bytes of the discarded line (fewer than the delimiter's length). */
  private readonly carry: Uint8Array;
  private carried = 0;
  /** Whether a too-long line is being dropped. */
  active = false;

  constructor(delimiter: Uint8Array) {
    this.delimiter = delimiter;
    this.carry = new Uint8Array(Math.max(0, delimiter.length - 1));
  }

  /** Starts dropping a line; `tail` is the end of what was received of it (any length). */
  begin(tail: Uint8Array): void {
    this.active = true;
    this.carried = 0;
    this.keep(tail);
  }

  /**
   * Drops `chunk`'s bytes up to the end of the line's delimiter. Returns the index just past the
   * delimiter (decoding resumes there, and the discarding ends), or -1 if the whole chunk was dropped.
   */
  skip(chunk: Uint8Array, find: (chunk: Uint8Array, from: number) => number): number {
    let end = this.straddlingEnd(chunk);
    if (end < 0) {
      const i = find(chunk, 0);
      end = i < 0 ? -1 : i + this.delimiter.length;
    }
    if (end >= 0) {
      this.active = false;
      this.carried = 0;
      return end;
    }
    this.keep(chunk);
    return -1;
  }

  /** Index in `chunk` just past a delimiter that began in the carried bytes, or -1. */
  private straddlingEnd(chunk: Uint8Array): number {
    const d = this.delimiter;
    for (let k = 1; k < d.length && k <= chunk.length; k++) {
      const head = d.length - k; // delimiter bytes at the end of the carried bytes
      if (head > this.carried) continue;
      let ok = true;
      for (let j = 0; ok && j < head; j++) ok = this.carry[this.carried - head + j] === d[j];
      for (let j = 0; ok && j < k; j++) ok = chunk[j] === d[head + j];
      if (ok) return k;
    }
    return -1;
  }

  /** Keeps the last bytes of the dropped stream: the carried ones, then `bytes`. */
  private keep(bytes: Uint8Array): void {
    const room = this.carry.length;
    if (room === 0) return;
    if (bytes.length >= room) {
      this.carry.set(bytes.subarray(bytes.length - room));
      this.carried = room;
      return;
    }
    const fromCarry = Math.min(this.carried, room - bytes.length);
    this.carry.copyWithin(0, this.carried - fromCarry, this.carried);
    this.carry.set(bytes, fromCarry);
    this.carried = fromCarry + bytes.length;
  }
}
