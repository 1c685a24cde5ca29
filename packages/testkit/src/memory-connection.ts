import type { Connection, ConnectionHandlers } from "@parley/framing";
import { AlreadyAttachedError, ConnectionResetError } from "./errors.js";
import type { ResolvedMemoryPairOptions } from "./memory-pair-options.js";

/** Counters of one end of a memory pair, live (read them at any time). */
export interface MemoryConnectionStats {
  /** Accepted `write()` calls (writes after `end()` or a close are ignored and not counted). */
  writes: number;
  /** Chunks passed to accepted `write()` calls. */
  chunksWritten: number;
  /** Bytes passed to accepted `write()` calls. */
  bytesWritten: number;
  /** Bytes of this end's writes handed to the other end's `onData`. */
  bytesDelivered: number;
  /** `onData` calls this end's writes produced on the other end (more than writes when re-cut). */
  chunksDelivered: number;
}

/** Which way {@link MemoryConnection.stopDelivery} acts, seen from the end it is called on. */
export type DeliveryDirection = "both" | "outbound" | "inbound";

/** Options of {@link MemoryConnection.stopDelivery} and {@link MemoryConnection.resumeDelivery}. */
export interface DeliveryControlOptions {
  /**
   * `outbound`: this end's writes; `inbound`: the other end's writes; `both`: the whole link.
   * @default "both"
   */
  direction?: DeliveryDirection;
}

interface QueuedChunk {
  readonly chunk: Uint8Array;
  /** `performance.now()` time from which the chunk may be delivered; 0 when there is no latency. */
  readonly dueAt: number;
}

/**
 * One end of an in-memory connection pair, made by {@link createMemoryPair}. It follows the
 * `Connection` contract of `@parley/framing` the way a TCP socket does, and adds controls a test
 * needs: {@link stopDelivery} (a blackholed peer), {@link crash} (a dead process) and {@link stats}.
 *
 * Closing is pair-wide: the two ends close together, on the clean exchange of both ends'
 * end-of-stream, on `reset()` of either end, or on `crash()`.
 */
export class MemoryConnection implements Connection {
  /** This end's label (`names[0]` for the first end of the pair). */
  readonly localAddress: string;
  /** The other end's label. */
  readonly remoteAddress: string;
  readonly #options: ResolvedMemoryPairOptions;
  readonly #stats: MemoryConnectionStats = {
    writes: 0,
    chunksWritten: 0,
    bytesWritten: 0,
    bytesDelivered: 0,
    chunksDelivered: 0,
  };
  #peer: MemoryConnection;
  #handlers: ConnectionHandlers | undefined;
  /** This end's writes not yet delivered to the other end; `#head` is the next one. */
  #queue: (QueuedChunk | undefined)[] = [];
  #head = 0;
  #bufferedBytes = 0;
  #needDrain = false;
  #paused = false;
  #outboundStopped = false;
  #ended = false;
  /** The other end has seen this end's end-of-stream (`onEnd`). */
  #endDelivered = false;
  #closed = false;
  #closeError: Error | undefined;
  #closeNotified = false;
  /** The pending delivery turn: an immediate when something is due now, a timeout under latency. */
  #timer: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout } | undefined;

  /**
   * Use {@link createMemoryPair}; the constructor is internal. Passing `peer` links the two ends.
   * @internal
   */
  constructor(options: ResolvedMemoryPairOptions, side: 0 | 1, peer?: MemoryConnection) {
    this.#options = options;
    this.localAddress = options.names[side];
    this.remoteAddress = options.names[side === 0 ? 1 : 0];
    this.#peer = peer ?? this;
    if (peer) peer.#peer = this;
  }

  /** Bytes written by this end and not yet handed to the other end's `onData`. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Live counters of this end's writes and deliveries. */
  get stats(): Readonly<MemoryConnectionStats> {
    return this.#stats;
  }

  /** `end()` was called on this end: it writes no more. */
  get ended(): boolean {
    return this.#ended;
  }

  /** This end has received the other end's end-of-stream (`onEnd` was called). */
  get remoteEnded(): boolean {
    return this.#peer.#endDelivered;
  }

  /** The pair is closed: nothing more is delivered except this end's single `onClose`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** `pause()` is in effect on this end. */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Queues a copy of the chunks for the other end, as one write: they arrive in order and are never
   * interleaved with another write. Ignored after `end()` or a close (returns `false`, never throws).
   * @returns `false` once {@link bufferedBytes} is at or above `highWaterMarkBytes`.
   */
  write(chunks: readonly Uint8Array[]): boolean {
    if (this.#ended || this.#closed) return false;
    let total = 0;
    for (const chunk of chunks) total += chunk.byteLength;
    this.#stats.writes++;
    this.#stats.chunksWritten += chunks.length;
    this.#stats.bytesWritten += total;
    if (total > 0) this.#enqueue(chunks, total);
    const belowMark = this.#bufferedBytes < this.#options.highWaterMarkBytes;
    if (!belowMark) this.#needDrain = true;
    return belowMark;
  }

  /** Half-closes: what is queued is delivered, then the other end's `onEnd`. Idempotent. */
  end(): void {
    if (this.#ended || this.#closed) return;
    this.#ended = true;
    this.#schedule();
  }

  /**
   * Closes the pair abruptly: queued bytes in both directions are dropped, this end's `onClose`
   * gets `error` (or nothing), the other end's `onClose` gets a `ConnectionResetError`
   * (`ECONNRESET`). Idempotent. Delivery controls do not hold a reset back.
   */
  reset(error?: Error): void {
    if (this.#closed) return;
    this.#close(error);
    // Like a TCP RST, the reset carries no reason: the other end learns only that it happened.
    this.#peer.#close(new ConnectionResetError(`connection reset by peer ${this.localAddress}`));
  }

  /**
   * Closes the pair as if this end's process died: both ends' `onClose` get a `ConnectionResetError`
   * (`ECONNRESET`) and every queued byte is dropped.
   */
  crash(): void {
    if (this.#closed) return;
    this.#close(new ConnectionResetError(`connection aborted: ${this.localAddress} crashed`));
    this.#peer.#close(
      new ConnectionResetError(`connection reset by peer ${this.localAddress} (it crashed)`),
    );
  }

  /** Stops delivering `onData` and `onEnd` to this end; the other end's `bufferedBytes` grows. */
  pause(): void {
    this.#paused = true;
  }

  /** Resumes delivery to this end after {@link pause}. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#peer.#schedule();
  }

  /**
   * Simulates a blackholed link: writes are accepted and buffered but nothing (not even the
   * end-of-stream) is delivered, and no error is raised. `reset()` and `crash()` still get through,
   * so a test can always close the pair.
   */
  stopDelivery(options: DeliveryControlOptions = {}): void {
    this.#setStopped(options.direction ?? "both", true);
  }

  /** Undoes {@link stopDelivery}: what was held back is delivered, in order. */
  resumeDelivery(options: DeliveryControlOptions = {}): void {
    this.#setStopped(options.direction ?? "both", false);
  }

  /**
   * Installs the handlers. Bytes written before this call are delivered after it, from the next
   * macrotask on.
   * @throws {AlreadyAttachedError} `ALREADY_ATTACHED` on a second call.
   */
  attach(handlers: ConnectionHandlers): void {
    if (this.#handlers) {
      throw new AlreadyAttachedError(`${this.localAddress} is already attached; attach() once`);
    }
    this.#handlers = handlers;
    if (this.#closed) {
      setImmediate(() => this.#notifyClose());
      return;
    }
    this.#peer.#schedule();
    // A write that returned false before attach() is owed an onDrain once the bytes move.
    this.#schedule();
  }

  #enqueue(chunks: readonly Uint8Array[], total: number): void {
    // One copy per write: the writer may reuse its buffers, the reader may keep views of ours.
    const copy = Buffer.allocUnsafe(total);
    let offset = 0;
    for (const chunk of chunks) {
      copy.set(chunk, offset);
      offset += chunk.byteLength;
    }
    const latencyMs = this.#options.latencyMs;
    const dueAt = latencyMs > 0 ? performance.now() + latencyMs : 0;
    const step = this.#options.chunkBytes ?? total;
    for (let start = 0; start < total; start += step) {
      this.#queue.push({ chunk: copy.subarray(start, Math.min(start + step, total)), dueAt });
    }
    this.#bufferedBytes += total;
    this.#schedule();
  }

  #setStopped(direction: DeliveryDirection, stopped: boolean): void {
    if (direction !== "inbound") this.#outboundStopped = stopped;
    if (direction !== "outbound") this.#peer.#outboundStopped = stopped;
    if (stopped) return;
    this.#schedule();
    this.#peer.#schedule();
  }

  /** True when this end has something the other end can take now or later. */
  #hasWork(): boolean {
    if (this.#closed) return false;
    if (this.#needDrain && this.#handlers && this.#bufferedBytes < this.#options.highWaterMarkBytes)
      return true;
    const receiver = this.#peer;
    if (this.#outboundStopped || receiver.#paused || !receiver.#handlers) return false;
    return this.#head < this.#queue.length || (this.#ended && !this.#endDelivered);
  }

  #schedule(): void {
    if (this.#timer !== undefined || !this.#hasWork()) return;
    const next = this.#queue[this.#head];
    const waitMs = next && next.dueAt > 0 ? next.dueAt - performance.now() : 0;
    this.#timer =
      waitMs > 0
        ? { timeout: setTimeout(() => this.#flush(), Math.ceil(waitMs)) }
        : { immediate: setImmediate(() => this.#flush()) };
  }

  #flush(): void {
    this.#timer = undefined;
    this.#deliverDue();
    this.#deliverEnd();
    if (
      !this.#closed &&
      this.#needDrain &&
      this.#bufferedBytes < this.#options.highWaterMarkBytes
    ) {
      const handlers = this.#handlers;
      if (handlers) {
        this.#needDrain = false;
        handlers.onDrain();
      }
    }
    this.#schedule();
  }

  /** Hands every due chunk to the receiver until it pauses, the link stops, or the pair closes. */
  #deliverDue(): void {
    const receiver = this.#peer;
    const now = performance.now();
    while (this.#head < this.#queue.length) {
      const handlers = receiver.#handlers;
      if (this.#closed || this.#outboundStopped || receiver.#paused || !handlers) break;
      const next = this.#queue[this.#head]!;
      if (next.dueAt > now) break;
      this.#queue[this.#head++] = undefined;
      this.#bufferedBytes -= next.chunk.byteLength;
      this.#stats.bytesDelivered += next.chunk.byteLength;
      this.#stats.chunksDelivered++;
      handlers.onData(next.chunk);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Delivers this end's end-of-stream once its bytes are all through; both ends ended = closed. */
  #deliverEnd(): void {
    const receiver = this.#peer;
    const handlers = receiver.#handlers;
    if (!this.#ended || this.#endDelivered || this.#closed || this.#head < this.#queue.length)
      return;
    if (this.#outboundStopped || receiver.#paused || !handlers) return;
    this.#endDelivered = true;
    handlers.onEnd();
    if (receiver.#endDelivered && !this.#closed) {
      this.#close(undefined);
      receiver.#close(undefined);
    }
  }

  #close(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    this.#queue = [];
    this.#head = 0;
    this.#bufferedBytes = 0;
    this.#needDrain = false;
    const timer = this.#timer;
    if (timer !== undefined) {
      if ("timeout" in timer) clearTimeout(timer.timeout);
      else clearImmediate(timer.immediate);
      this.#timer = undefined;
    }
    // Deferred like a socket's 'close' event, so onClose never runs inside the caller's reset().
    if (this.#handlers) setImmediate(() => this.#notifyClose());
  }

  #notifyClose(): void {
    if (this.#closeNotified || !this.#handlers) return;
    this.#closeNotified = true;
    this.#handlers.onClose(this.#closeError);
  }
}
