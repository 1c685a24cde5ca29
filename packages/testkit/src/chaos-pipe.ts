import type { Socket } from "node:net";
import type { ChaosFaults } from "./chaos-faults.js";

/** Bytes a pipe holds (delayed or waiting for `drain`) before it stops reading its source. */
const MAX_QUEUED_BYTES = 1024 * 1024;

type QueuedItem =
  | {
      readonly kind: "data";
      readonly data: Buffer;
      readonly dueAt: number;
      readonly piece: boolean;
    }
  | { readonly kind: "end"; readonly dueAt: number }
  | { readonly kind: "drop"; readonly dueAt: number };

/**
 * One direction of a proxied connection: reads `source`, applies the direction's faults, writes
 * `dest`. Items (data, end-of-stream, drop) leave in the order they arrived, each no earlier than
 * its due time. Exported for the proxy only.
 * @internal
 */
export class ChaosPipe {
  readonly #source: Socket;
  readonly #dest: Socket;
  readonly #faults: () => ChaosFaults;
  readonly #onDrop: () => void;
  /** Bytes read from the source in total, and that count when the faults last changed. */
  #offset = 0;
  #baseline = 0;
  #dropping = false;
  #stopped = false;
  #queue: QueuedItem[] = [];
  #queuedBytes = 0;
  #lastDueAt = 0;
  #waitingForDrain = false;
  /** What the next pump waits for: a due time, the next turn, or the destination's connect. */
  #timer:
    | { timeout: NodeJS.Timeout }
    | { immediate: NodeJS.Immediate }
    | { connect: Socket }
    | undefined;

  constructor(source: Socket, dest: Socket, faults: () => ChaosFaults, onDrop: () => void) {
    this.#source = source;
    this.#dest = dest;
    this.#faults = faults;
    this.#onDrop = onDrop;
    source.on("data", (chunk: Buffer) => this.#onData(chunk));
    source.on("end", () => this.#push({ kind: "end", dueAt: this.#dueAt() }, 0));
    dest.on("drain", () => {
      this.#waitingForDrain = false;
      this.#pump();
    });
  }

  /** The faults changed: byte offsets count from here again, and a lifted blackhole flows again. */
  faultsChanged(): void {
    this.#baseline = this.#offset;
    this.#updateFlow();
    this.#pump();
  }

  /** Discards everything queued and everything read from now on (the connection is going away). */
  stop(): void {
    this.#stopped = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#clearTimer();
    // Keep reading and discarding, so no unread bytes turn the coming close into a reset.
    this.#updateFlow();
  }

  #onData(chunk: Buffer): void {
    if (this.#stopped || this.#dropping) return;
    const faults = this.#faults();
    const start = this.#offset - this.#baseline;
    this.#offset += chunk.byteLength;
    let data = chunk;
    const corruptAt =
      faults.corruptAfterBytes === undefined ? -1 : faults.corruptAfterBytes - start;
    // The offset falls in exactly one chunk, so each setting corrupts one byte, once.
    if (corruptAt >= 0 && corruptAt < data.byteLength) {
      data = Buffer.from(data);
      data[corruptAt] = (data[corruptAt] ?? 0) ^ 0xff;
    }
    if (faults.dropAfterBytes !== undefined && faults.dropAfterBytes - start <= data.byteLength) {
      data = data.subarray(0, Math.max(0, faults.dropAfterBytes - start));
      this.#dropping = true;
    }
    const dueAt = this.#dueAt();
    const step = faults.chunkBytes ?? data.byteLength;
    for (let at = 0; at < data.byteLength; at += step) {
      const piece = data.subarray(at, at + step);
      this.#push({ kind: "data", data: piece, dueAt, piece: step < data.byteLength }, piece.length);
    }
    if (this.#dropping) this.#push({ kind: "drop", dueAt }, 0);
  }

  #dueAt(): number {
    // Never earlier than the item before: a shortened delay must not reorder the stream.
    this.#lastDueAt = Math.max(performance.now() + this.#faults().delayMs, this.#lastDueAt);
    return this.#lastDueAt;
  }

  #push(item: QueuedItem, bytes: number): void {
    if (this.#stopped) return;
    this.#queue.push(item);
    this.#queuedBytes += bytes;
    this.#updateFlow();
    this.#pump();
  }

  #pump(): void {
    if (this.#timer !== undefined || this.#stopped || this.#waitingForDrain) return;
    if (this.#faults().blackhole) return;
    if (this.#dest.connecting) {
      // Writes made while connecting leave as one batch on connect, which would undo re-cutting.
      this.#timer = { connect: this.#dest.once("connect", () => this.#wake()) };
      return;
    }
    while (this.#queue.length > 0) {
      const item = this.#queue[0]!;
      const waitMs = item.dueAt - performance.now();
      if (waitMs > 0) {
        this.#timer = { timeout: setTimeout(() => this.#wake(), Math.ceil(waitMs)) };
        return;
      }
      this.#queue.shift();
      if (item.kind === "drop") {
        this.#onDrop();
        return;
      }
      if (item.kind === "end") {
        if (!this.#dest.destroyed) this.#dest.end();
        continue;
      }
      this.#queuedBytes -= item.data.byteLength;
      if (this.#dest.destroyed) continue;
      if (!this.#dest.write(item.data)) this.#waitingForDrain = true;
      // Re-cut pieces leave one per turn, so each goes out as its own TCP segment.
      if (item.piece && this.#queue.length > 0) {
        this.#timer = { immediate: setImmediate(() => this.#wake()) };
        break;
      }
      if (this.#waitingForDrain) break;
    }
    this.#updateFlow();
  }

  #wake(): void {
    this.#timer = undefined;
    this.#pump();
  }

  /** Reads the source only while the queue is short, the link is not blackholed, and not dropping. */
  #updateFlow(): void {
    if (this.#source.destroyed) return;
    const hold =
      !this.#stopped &&
      (this.#faults().blackhole ||
        this.#dropping ||
        this.#waitingForDrain ||
        this.#queuedBytes > MAX_QUEUED_BYTES);
    if (hold) this.#source.pause();
    else this.#source.resume();
  }

  #clearTimer(): void {
    const timer = this.#timer;
    if (timer === undefined) return;
    if ("timeout" in timer) clearTimeout(timer.timeout);
    else if ("immediate" in timer) clearImmediate(timer.immediate);
    this.#timer = undefined;
  }
}
