/**
 * The raw node:net ceiling's wire format: each frame is a 4-byte big-endian length, then the bytes.
 * The decoder hands out views of the chunk when a frame lies in it whole and copies once, with the
 * known total, when a frame spans chunks: the same rules Parley's framing follows.
 */

/** Bytes in the length prefix. */
export const PREFIX_BYTES = 4;

/** Largest frame the raw system accepts (far above the 64 KiB payloads measured). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Splits a byte stream into length-prefixed frames. */
export class LengthPrefixDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before the pending chunks can yield a frame (a header, or a header plus body). */
  private wanted = PREFIX_BYTES;

  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  /** Feeds one chunk; calls `onFrame` for every frame it completes. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.wanted) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let offset = 0;
    while (buf.length - offset >= PREFIX_BYTES) {
      const length = buf.readUInt32BE(offset);
      if (length > MAX_FRAME_BYTES) throw new RangeError(`frame of ${length} bytes is too large`);
      const end = offset + PREFIX_BYTES + length;
      if (end > buf.length) break;
      this.onFrame(buf.subarray(offset + PREFIX_BYTES, end));
      offset = end;
    }
    if (offset === buf.length) return;
    const rest = buf.subarray(offset);
    this.pending = [rest];
    this.pendingBytes = rest.length;
    this.wanted = rest.length >= PREFIX_BYTES ? PREFIX_BYTES + rest.readUInt32BE(0) : PREFIX_BYTES;
  }
}

/** Returns the 4-byte prefix for a frame of `length` bytes. */
export function lengthPrefix(length: number): Buffer {
  const header = Buffer.allocUnsafe(PREFIX_BYTES);
  header.writeUInt32BE(length, 0);
  return header;
}
