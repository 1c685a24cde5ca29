/**
 * A frame in two pieces: its head (length prefix, header and the body's own header) and a large
 * byte-string body that is the caller's own bytes, not a copy. The outbox queues both pieces for
 * the same write, back to back, so on the wire it is one frame like any other.
 */
export class SplitFrame {
  constructor(
    readonly head: Uint8Array,
    readonly body: Uint8Array,
  ) {}

  /** Bytes of the whole frame. */
  get byteLength(): number {
    return this.head.length + this.body.length;
  }

  /** The frame as one buffer (a copy), for callers that need contiguous bytes. */
  joined(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    out.set(this.head);
    out.set(this.body, this.head.length);
    return out;
  }
}

/** An encoded frame: one buffer, or a {@link SplitFrame}. Both have `byteLength`. */
export type Frame = Uint8Array | SplitFrame;
