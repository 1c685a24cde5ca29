import { uninitialized, view } from "./bytes.js";

// Past this many buffered chunks a frame is assembled in place instead: a peer trickling 1-byte
// chunks must not make us hold one object per byte (about 100x the frame size in headers).
const MAX_PENDING_CHUNKS = 32;
const EMPTY = new Uint8Array(0);

/**
 * The frame a length-field decoder has begun and not finished: the chunks holding its bytes so
 * far, kept as they came (no copy) until the frame completes, then joined once. Chunks that lie
 * back to back in one buffer join as one view, with no copy at all; a frame that arrives in too
 * many chunks, or whose rest is read into its own buffer (`readTarget`), is assembled in a buffer
 * of exactly its size instead.
 * @internal
 */
export class UnfinishedFrame {
  /** Bytes received so far, header included; 0 when no frame is unfinished. */
  pending = 0;
  /** Wire size of the frame once its length field was read, else -1. */
  frameBytes = -1;
  /** Chunks holding the frame; the first one from `partsStart`. */
  private readonly parts: Uint8Array[] = [];
  private partsStart = 0;
  /** The frame's own buffer, once it is assembled in place. */
  private assembly: Uint8Array | undefined;

  /** @param strip bytes at the start of each frame that its output leaves out */
  constructor(private readonly strip: number) {}

  /** True once the frame is assembled in its own buffer. */
  get assembling(): boolean {
    return this.assembly !== undefined;
  }

  /** The frame starts at `start` of `chunk`, the rest of which it holds. */
  begin(chunk: Uint8Array, start: number): void {
    this.parts.push(chunk);
    this.partsStart = start;
    this.pending = chunk.length - start;
  }

  /**
   * Whether the frame lies in one chunk and `chunk` begins in memory right where it ends: a reader
   * that fills one buffer read after read (transport-net's slabs, Node's 8 KiB pool) hands over
   * such chunks, and the two then join as one view ({@link joined}). A frame in two chunks or more,
   * or assembled in its own buffer, joins nothing.
   */
  adjoins(chunk: Uint8Array): boolean {
    if (this.parts.length !== 1) return false;
    const only = this.parts[0]!;
    return only.buffer === chunk.buffer && only.byteOffset + only.length === chunk.byteOffset;
  }

  /** The frame's one chunk and the adjoining `chunk` as one view; no frame is unfinished after. */
  joined(chunk: Uint8Array): Uint8Array {
    const first = this.parts[0]!;
    const start = first.byteOffset + this.partsStart;
    this.parts.length = 0;
    const length = this.pending + chunk.length;
    this.pending = 0;
    this.frameBytes = -1;
    return new Uint8Array(chunk.buffer, start, length);
  }

  /** Adds all of `chunk`, which does not finish the frame. */
  append(chunk: Uint8Array): void {
    if (this.assembly !== undefined) {
      this.place(chunk, chunk.length, this.pending);
    } else {
      this.parts.push(chunk);
      if (this.parts.length >= MAX_PENDING_CHUNKS) this.compact();
    }
    this.pending += chunk.length;
  }

  /** Where the frame's rest goes to need no copy: the rest of its own buffer. */
  rest(): Uint8Array {
    if (this.assembly === undefined) this.startAssembly();
    return this.assembly!.subarray(this.pending - this.strip);
  }

  /** Completes the frame with the first `missing` bytes of `chunk`: the one copy. */
  finish(chunk: Uint8Array, missing: number): Uint8Array {
    if (this.assembly === undefined) this.startAssembly();
    this.place(chunk, missing, this.pending);
    const frame = this.assembly!;
    this.assembly = undefined;
    this.pending = 0;
    this.frameBytes = -1;
    return frame;
  }

  /** Fills `target` with the frame's bytes from `from` on, then with `chunk`'s. */
  gather(target: Uint8Array, from: number, chunk: Uint8Array): void {
    let at = 0;
    const n = this.parts.length;
    for (let i = 0; i <= n && at < from + target.length; i++) {
      const src = i < n ? this.parts[i]! : chunk;
      const start = i === 0 && n > 0 ? this.partsStart : 0;
      const len = src.length - start;
      const lo = Math.max(at, from);
      const hi = Math.min(at + len, from + target.length);
      if (lo < hi) target.set(view(src, start + lo - at, start + hi - at), lo - from);
      at += len;
    }
  }

  /** Collapses the chunk list: into the frame's buffer if its size is known, else into one chunk. */
  private compact(): void {
    if (this.frameBytes >= 0) {
      this.startAssembly();
      return;
    }
    const head = new Uint8Array(this.pending + this.parts[this.parts.length - 1]!.length);
    this.gather(head, 0, EMPTY);
    this.parts.length = 0;
    this.parts.push(head);
    this.partsStart = 0;
  }

  private startAssembly(): void {
    // Every byte is placed before the frame is emitted: no need to zero it first.
    this.assembly = uninitialized(this.frameBytes - this.strip);
    let at = 0;
    for (let i = 0; i < this.parts.length; i++) {
      const from = i === 0 ? this.partsStart : 0;
      const part = i === 0 ? view(this.parts[0]!, from, this.parts[0]!.length) : this.parts[i]!;
      this.place(part, part.length, at);
      at += part.length;
    }
    this.parts.length = 0;
  }

  /** Copies `src[0, count)`, which sits at `frameOffset` in the frame, minus the stripped prefix. */
  private place(src: Uint8Array, count: number, frameOffset: number): void {
    const strip = this.strip;
    const skip = Math.max(0, Math.min(strip - frameOffset, count));
    if (skip >= count) return;
    const at = frameOffset + skip - strip;
    const out = this.assembly!;
    // Read straight into place (readTarget): nothing to copy.
    if (src.buffer === out.buffer && src.byteOffset + skip === out.byteOffset + at) return;
    // A whole chunk (the trickling-peer case) needs no view allocated around it.
    if (skip === 0 && count === src.length) out.set(src, at);
    else out.set(view(src, skip, count), at);
  }
}
