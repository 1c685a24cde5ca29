import { uninitialized } from "./bytes.js";
import { FrameTruncatedError, LineTooLongError } from "./errors.js";
import type { FrameDecoder, FrameHandler } from "./frame-decoder.js";
import { LineDiscarder } from "./line-discarder.js";
import { booleanOption, functionOption, integerOption, oneOfOption } from "./option-rules.js";
import { InvalidOptionError } from "./parley-error.js";
import { diagnose, SNIFF_BYTES } from "./protocol-sniffer.js";

/** Default line delimiter: a newline, as NDJSON and JSON Lines use. */
export const DEFAULT_DELIMITER = "\n";
/** Largest line accepted by default (delimiter excluded): 4 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

/** Options of a {@link DelimiterDecoder}. Every field is optional. */
export interface DelimiterDecoderOptions {
  /** The byte sequence ending each line; a string is encoded as UTF-8. @default "\n" */
  delimiter?: Uint8Array | string;
  /**
   * Largest line accepted, delimiter excluded. Checked as bytes arrive: a line is rejected as soon
   * as it is certain to be longer, without waiting for its delimiter. @default 4194304 (4 MiB)
   */
  maxLineBytes?: number;
  /** Whether each emitted line keeps its delimiter. @default false */
  includeDelimiter?: boolean;
  /**
   * What {@link DelimiterDecoder.end} does with a last line that has no delimiter: `"error"`
   * throws FRAME_TRUNCATED, `"emit"` hands it to `end`'s `onFrame` (a line longer than
   * `maxLineBytes` is LINE_TOO_LONG, handled as `tooLongLine` says). @default "error"
   */
  unterminatedLastLine?: "error" | "emit";
  /**
   * What a line longer than `maxLineBytes` does: `"fail"` throws LINE_TOO_LONG and the decoder is
   * failed for good; `"discard"` reports it to {@link DelimiterDecoderOptions.onDiscard} once, drops
   * it through its delimiter without buffering it, and goes on with the next line (Netty's
   * discarding mode, reported fail-fast). @default "fail"
   */
  tooLongLine?: "fail" | "discard";
  /**
   * Required with `tooLongLine: "discard"`: called once per dropped line, as soon as it is certain
   * to be too long, with the LINE_TOO_LONG error. A throw from it fails the decoder.
   */
  onDiscard?: (error: LineTooLongError) => void;
}

// Past this many buffered chunks a line moves into one growable buffer: a peer trickling 1-byte
// chunks must not make us hold one object per byte.
const MAX_PENDING_CHUNKS = 32;
const EMPTY = new Uint8Array(0);

/**
 * Splits a byte stream into lines ending with a delimiter (NDJSON-style; Netty's
 * `DelimiterBasedFrameDecoder`, tokio-util's `LinesCodec`/`AnyDelimiterCodec`). A multi-byte
 * delimiter may be split across chunks.
 *
 * Lines are views: a line inside one chunk is a `Uint8Array` over that chunk's memory; a line
 * spanning chunks is copied into a buffer of exactly its size.
 *
 * @example
 * const lines = new DelimiterDecoder({ maxLineBytes: 64 * 1024 });
 * const text = new TextDecoder();
 * stream.on("data", (chunk) => lines.push(chunk, (line) => handle(JSON.parse(text.decode(line)))));
 */
export class DelimiterDecoder implements FrameDecoder {
  private readonly delimiter: Uint8Array;
  private readonly maxLineBytes: number;
  private readonly includeDelimiter: boolean;
  private readonly emitUnterminated: boolean;
  private readonly parts: Uint8Array[] = [];
  private partsStart = 0;
  /** Once a line spans many chunks, its bytes so far live here (`pending` of them). */
  private accumulator: Uint8Array | undefined;
  private pending = 0;
  private firstLine = true;
  private failure: unknown;
  /** Set with `tooLongLine: "discard"`: where too-long lines are reported instead of thrown. */
  private readonly onDiscard: ((error: LineTooLongError) => void) | undefined;
  private readonly discarder: LineDiscarder;
  private readonly findFrom = (chunk: Uint8Array, from: number): number => this.find(chunk, from);

  /** @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule. */
  constructor(options: DelimiterDecoderOptions = {}) {
    this.delimiter = resolveDelimiter(options.delimiter);
    this.maxLineBytes = integerOption(
      "maxLineBytes",
      options.maxLineBytes,
      DEFAULT_MAX_LINE_BYTES,
      1,
    );
    this.includeDelimiter = booleanOption("includeDelimiter", options.includeDelimiter, false);
    const last = oneOfOption("unterminatedLastLine", options.unterminatedLastLine, "error", [
      "error",
      "emit",
    ]);
    this.emitUnterminated = last === "emit";
    const tooLong = oneOfOption("tooLongLine", options.tooLongLine, "fail", ["fail", "discard"]);
    const onDiscard = functionOption<(error: LineTooLongError) => void>(
      "onDiscard",
      options.onDiscard,
    );
    if (tooLong === "discard" && onDiscard === undefined) {
      throw new InvalidOptionError(
        'onDiscard is required with tooLongLine: "discard" (a dropped line must be reported)',
      );
    }
    this.onDiscard = tooLong === "discard" ? onDiscard : undefined;
    this.discarder = new LineDiscarder(this.delimiter);
  }

  /** Bytes of an unfinished line held between calls. */
  get bufferedBytes(): number {
    return this.pending;
  }

  /**
   * Feeds a chunk; calls `onFrame` synchronously for each complete line, in order.
   * @throws {LineTooLongError} LINE_TOO_LONG once a line is certain to exceed `maxLineBytes`
   *   (with `tooLongLine: "discard"`, `onDiscard` gets it instead and decoding goes on).
   * After a throw (including one from `onFrame`) the decoder rethrows the same error on every call.
   */
  push(chunk: Uint8Array, onFrame: FrameHandler): void {
    if (this.failure !== undefined) throw this.failure;
    try {
      let pos = 0;
      if (this.discarder.active) pos = this.discarder.skip(chunk, this.findFrom);
      else if (this.pending > 0) pos = this.continueLine(chunk, onFrame);
      if (pos >= 0) this.decodeChunk(chunk, pos, onFrame);
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  /**
   * Feeds a chunk and returns its lines as an array.
   * @throws {LineTooLongError} LINE_TOO_LONG as {@link DelimiterDecoder.push}.
   */
  decode(chunk: Uint8Array): Uint8Array[] {
    const lines: Uint8Array[] = [];
    this.push(chunk, (line) => {
      lines.push(line);
    });
    return lines;
  }

  /**
   * Declares end of stream. With `unterminatedLastLine: "emit"`, a last line lacking its delimiter
   * goes to `onFrame`, when it fits in `maxLineBytes` (else it is LINE_TOO_LONG, as in `push`).
   * @throws {FrameTruncatedError} FRAME_TRUNCATED (`expectedBytes` undefined) when a partial line is
   *   buffered and `unterminatedLastLine` is `"error"`.
   * @throws {LineTooLongError} LINE_TOO_LONG with `unterminatedLastLine: "emit"` when the last line
   *   is longer than `maxLineBytes` (with `tooLongLine: "discard"`, `onDiscard` gets it instead).
   */
  end(onFrame?: FrameHandler): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.pending === 0) return;
    if (this.emitUnterminated) {
      // push() holds up to delimiter.length - 1 bytes past the limit, in case they begin the
      // delimiter; with none to come they are part of the line, which must fit too.
      if (this.pending > this.maxLineBytes) {
        try {
          this.tooLong(this.pending, EMPTY, 0);
        } catch (error) {
          this.failure = error;
          throw error;
        }
        this.dropLine();
        return;
      }
      const line = this.takeLine(EMPTY, this.pending);
      onFrame?.(line);
      return;
    }
    this.failure = new FrameTruncatedError(
      { expectedBytes: undefined, receivedBytes: this.pending, unit: "line" },
      diagnose(this.sample(EMPTY, 0)),
    );
    throw this.failure;
  }

  private decodeChunk(chunk: Uint8Array, start: number, onFrame: FrameHandler): void {
    const dl = this.delimiter.length;
    const extra = this.includeDelimiter ? dl : 0;
    let pos = start;
    for (let i = this.find(chunk, pos); i >= 0; i = this.find(chunk, pos)) {
      if (i - pos > this.maxLineBytes) this.tooLong(i - pos, chunk, pos);
      else onFrame(new Uint8Array(chunk.buffer, chunk.byteOffset + pos, i - pos + extra));
      this.firstLine = false;
      pos = i + dl;
    }
    if (pos < chunk.length) {
      // The tail may end with a partial delimiter, so only what precedes that must fit.
      const atLeast = chunk.length - pos - (dl - 1);
      if (atLeast > this.maxLineBytes) {
        this.tooLong(atLeast, chunk, pos);
        this.discarder.begin(chunk.subarray(pos));
        return;
      }
      this.parts.push(chunk);
      this.partsStart = pos;
      this.pending = chunk.length - pos;
    }
  }

  /** Adds a chunk to the unfinished line; returns where the rest of the chunk starts, or -1. */
  private continueLine(chunk: Uint8Array, onFrame: FrameHandler): number {
    const dl = this.delimiter.length;
    let after = dl > 1 ? this.straddlingDelimiterEnd(chunk) : -1;
    if (after < 0) {
      const i = this.find(chunk, 0);
      after = i < 0 ? -1 : i + dl;
    }
    if (after < 0) {
      const atLeast = this.pending + chunk.length - (dl - 1);
      if (atLeast > this.maxLineBytes) {
        this.tooLong(atLeast, chunk, 0);
        const tail = this.lastBytes(chunk, dl - 1);
        this.dropLine();
        this.discarder.begin(tail);
        return -1;
      }
      this.append(chunk);
      return -1;
    }
    const lineBytes = this.pending + after - dl;
    if (lineBytes > this.maxLineBytes) {
      this.tooLong(lineBytes, chunk, 0);
      this.dropLine();
      return after;
    }
    onFrame(this.takeLine(chunk, lineBytes + (this.includeDelimiter ? dl : 0)));
    return after;
  }

  /** The last `count` bytes (or fewer) of the buffered line followed by `chunk`. */
  private lastBytes(chunk: Uint8Array, count: number): Uint8Array {
    const total = this.pending + chunk.length;
    const out = new Uint8Array(Math.min(count, total));
    for (let j = 0; j < out.length; j++) {
      const at = total - out.length + j;
      out[j] = at < this.pending ? this.pendingByte(at)! : chunk[at - this.pending]!;
    }
    return out;
  }

  /** Forgets the buffered line. */
  private dropLine(): void {
    this.parts.length = 0;
    this.accumulator = undefined;
    this.pending = 0;
  }

  /** Index in `chunk` just past a delimiter that began in the buffered bytes, or -1. */
  private straddlingDelimiterEnd(chunk: Uint8Array): number {
    const d = this.delimiter;
    for (let k = 1; k < d.length && k <= chunk.length; k++) {
      const head = d.length - k; // delimiter bytes that would sit at the end of the buffered line
      if (head > this.pending) continue;
      let ok = true;
      for (let j = 0; ok && j < head; j++) ok = this.pendingByte(this.pending - head + j) === d[j];
      for (let j = 0; ok && j < k; j++) ok = chunk[j] === d[head + j];
      if (ok) return k;
    }
    return -1;
  }

  private find(chunk: Uint8Array, from: number): number {
    const d = this.delimiter;
    let i = chunk.indexOf(d[0]!, from);
    if (d.length === 1) return i;
    while (i >= 0 && i + d.length <= chunk.length) {
      let k = 1;
      while (k < d.length && chunk[i + k] === d[k]) k++;
      if (k === d.length) return i;
      i = chunk.indexOf(d[0]!, i + 1);
    }
    return -1;
  }

  private append(chunk: Uint8Array): void {
    if (this.accumulator === undefined) {
      this.parts.push(chunk);
      this.pending += chunk.length;
      if (this.parts.length >= MAX_PENDING_CHUNKS) {
        const acc = new Uint8Array(this.capacityFor(this.pending));
        this.gather(acc.subarray(0, this.pending), EMPTY);
        this.parts.length = 0;
        this.accumulator = acc;
      }
      return;
    }
    const needed = this.pending + chunk.length;
    if (needed > this.accumulator.length) {
      const grown = new Uint8Array(this.capacityFor(needed));
      grown.set(this.accumulator.subarray(0, this.pending));
      this.accumulator = grown;
    }
    this.accumulator.set(chunk, this.pending);
    this.pending = needed;
  }

  // Doubling keeps a trickled line at a bounded number of copies per byte.
  private capacityFor(bytes: number): number {
    const ceiling = this.maxLineBytes + this.delimiter.length;
    return Math.max(bytes, Math.min(ceiling, Math.max(2 * bytes, 1024)));
  }

  /** Copies the first `count` bytes of buffered line + `chunk` into a new line; resets state. */
  private takeLine(chunk: Uint8Array, count: number): Uint8Array {
    const line = uninitialized(count); // gather() fills all of it
    this.gather(line, chunk);
    this.parts.length = 0;
    this.accumulator = undefined;
    this.pending = 0;
    this.firstLine = false;
    return line;
  }

  /** Fills `target` with the buffered bytes, then with `chunk`'s. */
  private gather(target: Uint8Array, chunk: Uint8Array): void {
    let filled = 0;
    const copy = (src: Uint8Array, start: number, end: number) => {
      const n = Math.min(end - start, target.length - filled);
      if (n > 0) target.set(src.subarray(start, start + n), filled);
      filled += Math.max(0, n);
    };
    if (this.accumulator !== undefined) copy(this.accumulator, 0, this.pending);
    for (let i = 0; i < this.parts.length; i++) {
      const part = this.parts[i]!;
      copy(part, i === 0 ? this.partsStart : 0, part.length);
    }
    copy(chunk, 0, chunk.length);
  }

  private pendingByte(index: number): number | undefined {
    if (this.accumulator !== undefined) return this.accumulator[index];
    let at = index;
    for (let i = 0; i < this.parts.length; i++) {
      const part = this.parts[i]!;
      const start = i === 0 ? this.partsStart : 0;
      if (at < part.length - start) return part[start + at];
      at -= part.length - start;
    }
    return undefined;
  }

  /** Throws LINE_TOO_LONG, or with `tooLongLine: "discard"` reports it and returns. */
  private tooLong(receivedBytes: number, chunk: Uint8Array, pos: number): void {
    const error = new LineTooLongError(
      { maxLineBytes: this.maxLineBytes, receivedBytes },
      diagnose(this.sample(chunk, pos)),
    );
    if (this.onDiscard === undefined) throw error;
    this.firstLine = false;
    this.onDiscard(error);
  }

  private sample(chunk: Uint8Array, pos: number): Uint8Array {
    if (!this.firstLine) return EMPTY;
    if (this.pending === 0) return chunk.subarray(pos, pos + SNIFF_BYTES);
    const bytes = new Uint8Array(Math.min(SNIFF_BYTES, this.pending + chunk.length));
    this.gather(bytes, chunk);
    return bytes;
  }
}

function resolveDelimiter(delimiter: Uint8Array | string | undefined): Uint8Array {
  const bytes =
    delimiter === undefined || typeof delimiter === "string"
      ? new TextEncoder().encode(delimiter ?? DEFAULT_DELIMITER)
      : delimiter instanceof Uint8Array
        ? Uint8Array.from(delimiter) // our own copy: the caller may reuse theirs
        : undefined;
  if (bytes === undefined || bytes.length === 0) {
    throw new InvalidOptionError("delimiter must be a non-empty string or Uint8Array");
  }
  return bytes;
}
