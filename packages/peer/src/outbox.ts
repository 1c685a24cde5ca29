/**
 * Outbound batching and backpressure. Every frame produced in one turn goes out in ONE
 * `connection.write()` (the transport turns it into one writev): a burst of 1000 small requests is
 * one syscall, not 1000. Frames are whole buffers, so a frame is never split across writes.
 *
 * Backpressure: when `write()` returns false the outbox is *blocked* until the connection's
 * `onDrain`; it is also blocked while more than `maxBufferedBytes` are queued for the next write.
 * Blocked means "requests and signals wait"; responses and control frames still go through, bounded
 * by the handler limits. Blocked for `slowConsumerTimeoutMs` with not one byte leaving the buffer
 * in that time: the remote is not reading, and the owner is told (`SLOW_CONSUMER`). A remote that
 * reads, only slower than this side writes, keeps the buffer above the mark without ever being
 * slow in that sense: progress (bytes written minus bytes still buffered) re-arms the timer.
 */
import type { Connection } from "@parley/framing";
import { monotonicNow } from "./pending-call.js";
import { type Frame, SplitFrame } from "./split-frame.js";

/**
 * When the batch of a turn is written: `nextTick` after the current operation, `microtask` after
 * pending promise reactions too, `immediate` after I/O callbacks. `auto` (the default) writes a
 * turn that starts with a call (a Request or Signal) as the promise reactions queued before it
 * end, and any other on nextTick. See benchmarks/src/micro/peer.ts for the measurements.
 *
 * Why `auto`: a call made in a promise reaction (the next call of an `await` loop) whose flush is
 * on nextTick makes Node call back into JavaScript once more after the microtasks, a third of a
 * microsecond per call at concurrency 1. Calls made in one burst (a loop, or the reactions of one
 * batch of answers) were all queued before that flush, so they still leave in one write. Answers
 * and stream items keep nextTick: handlers and item generators resume at unequal depths of
 * promise reactions, and nextTick waits for all of them.
 */
export type FlushScheduler = "auto" | "microtask" | "immediate" | "nextTick";

/** The flush schedulers, for option checks. */
export const FLUSH_SCHEDULERS: readonly FlushScheduler[] = [
  "auto",
  "nextTick",
  "microtask",
  "immediate",
];

const RESOLVED = Promise.resolve();
/**
 * The queue between turns: never pushed to. A turn's first frame replaces it with an array literal
 * holding that frame, which costs a fifth of an empty array's first `push` (the push allocates room
 * for 17); most turns of a calling loop or a busy server write one frame or a few.
 */
const NO_CHUNKS: readonly Uint8Array[] = [];

/** What the outbox tells its owner. */
export interface OutboxEvents {
  /**
   * The outbox was blocked and is no longer: a flush went through, or the connection drained.
   * Waiting senders may go (only a blocked outbox makes anyone wait).
   */
  onWritable(): void;
  /** A flush went through while the outbox was not blocked: nobody waits, nothing else changed. */
  onFlushed(): void;
  /** Output stayed blocked for `slowConsumerTimeoutMs`. */
  onSlowConsumer(): void;
}

/** Counters the outbox keeps (a slice of the peer's stats). */
export interface OutboxCounters {
  writes: number;
  framesSent: number;
  bytesSent: number;
}

/** Batches frames into one write per turn and tracks backpressure. One per connection. */
export class Outbox {
  private chunks = NO_CHUNKS as Uint8Array[];
  private queuedBytes = 0;
  /** Frames queued for the next write (a split frame is two chunks). */
  private frames = 0;
  private scheduled = false;
  private held = false;
  private awaitingDrain = false;
  private closed = false;
  private slowTimer: ReturnType<typeof setTimeout> | undefined;
  /** The flush scheduler when it is not nextTick or auto (both call their own in push()). */
  private readonly schedule: ((flush: () => void) => void) | undefined;
  /** `auto`: a turn that starts with a call is flushed on a microtask. */
  private readonly callsOnMicrotask: boolean;
  private readonly flushBound = (): void => this.flush();
  /** The microtask flush: a throw leaves as from a nextTick flush, not as a rejected promise. */
  private readonly flushInMicrotask = (): void => {
    try {
      this.flush();
    } catch (error) {
      process.nextTick(rethrow, error);
    }
  };
  private readonly slowBound = (): void => this.checkSlowConsumer();
  /** Bytes that had left the connection's buffer when the slow-consumer timer was last armed. */
  private flushedAtArm = 0;
  /** The clock as {@link batchNow} first read it for the batch being gathered; -1: not read. */
  private batchClock = -1;

  constructor(
    private readonly connection: Connection,
    private readonly maxBufferedBytes: number,
    private readonly slowConsumerTimeoutMs: number,
    private readonly events: OutboxEvents,
    private readonly counters: OutboxCounters,
    flushScheduler: FlushScheduler = "auto",
  ) {
    this.callsOnMicrotask = flushScheduler === "auto";
    this.schedule =
      flushScheduler === "immediate"
        ? (f) => setImmediate(f)
        : flushScheduler === "microtask"
          ? queueMicrotask
          : undefined;
  }

  /** True while requests and signals must wait. */
  get blocked(): boolean {
    return this.awaitingDrain || this.queuedBytes >= this.maxBufferedBytes;
  }

  /**
   * The monotonic clock (`performance.now()`), read once per batch: while frames are being
   * gathered for a write that is already due (scheduled, or the outbox held), every reading
   * returns the batch's first, until that write (a reading costs 70-100 ns on Node 20). Served
   * requests that are queued or await take their deadline's start from here: {@link hold} resets
   * it as a chunk's handling begins, so the reading never comes before the request arrived.
   * Outbound calls read the clock each: a batch's reading may come before the call is made, and
   * would take the time between off its timeout. Outside a batch the clock is read afresh.
   */
  batchNow(): number {
    if (!this.scheduled && !this.held) return monotonicNow();
    if (this.batchClock < 0) this.batchClock = monotonicNow();
    return this.batchClock;
  }

  /** Bytes queued for the next write. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /**
   * Frames pushed from now until {@link release} leave in one write at `release()`, with no flush
   * scheduled for them: the peer holds the outbox while it handles a received chunk, so answers
   * from synchronous handlers go out as the chunk's handling ends, not one tick later.
   */
  hold(): void {
    this.held = true;
    this.batchClock = -1; // readings while a chunk is handled come after it arrived
  }

  /** Ends {@link hold}: writes what was pushed meanwhile (and anything still waiting) now. */
  release(): void {
    this.held = false;
    this.batchClock = -1;
    if (this.chunks.length > 0) this.flush();
  }

  /**
   * Queues a complete frame for this turn's write (both pieces of a split frame, back to back).
   * `call`: a Request or Signal (see `auto` in {@link FlushScheduler}). Ignored once closed.
   */
  push(frame: Frame, call = false): void {
    if (this.closed) return;
    // `length`, not `byteLength`: the same for a Uint8Array, and several times cheaper in V8.
    const first = this.chunks.length === 0;
    if (frame instanceof SplitFrame) {
      if (first) this.chunks = [frame.head, frame.body];
      else this.chunks.push(frame.head, frame.body);
      this.queuedBytes += frame.head.length + frame.body.length;
    } else {
      if (first) this.chunks = [frame];
      else this.chunks.push(frame);
      this.queuedBytes += frame.length;
    }
    this.frames++;
    if (!this.scheduled && !this.held) {
      this.scheduled = true;
      if (this.schedule !== undefined) this.schedule(this.flushBound);
      else if (call && this.callsOnMicrotask) RESOLVED.then(this.flushInMicrotask);
      else process.nextTick(this.flushBound);
    }
  }

  /** Writes what is queued now (before `end()`), instead of at the end of the turn. */
  flush(): void {
    this.scheduled = false;
    this.batchClock = -1;
    if (this.closed || this.chunks.length === 0) return;
    const wasBlocked = this.blocked;
    const batch = this.chunks.length > 1 ? mergeAdjacent(this.chunks) : this.chunks;
    this.counters.writes++;
    this.counters.framesSent += this.frames;
    this.frames = 0;
    this.counters.bytesSent += this.queuedBytes;
    this.chunks = NO_CHUNKS as Uint8Array[];
    this.queuedBytes = 0;
    if (this.connection.write(batch)) {
      // `true` means the buffer is below the mark now: as good as a drain. Under steady two-way
      // load the socket's own drain (buffer empty) may never come while responses keep flowing.
      if (this.awaitingDrain) this.onDrain();
      else if (wasBlocked) this.events.onWritable();
      else this.events.onFlushed();
      return;
    }
    if (!this.awaitingDrain) {
      this.awaitingDrain = true;
      this.armSlowTimer();
    }
  }

  /** The connection's `onDrain`: unblocks and lets waiting senders go. */
  onDrain(): void {
    if (!this.awaitingDrain) return;
    this.awaitingDrain = false;
    this.clearSlowTimer();
    if (!this.closed) this.events.onWritable();
  }

  /** Drops whatever is queued and stops all timers: the connection is going away. */
  close(): void {
    this.closed = true;
    this.chunks = NO_CHUNKS as Uint8Array[];
    this.queuedBytes = 0;
    this.frames = 0;
    this.clearSlowTimer();
  }

  private armSlowTimer(): void {
    this.flushedAtArm = this.flushedBytes();
    this.slowTimer = setTimeout(this.slowBound, this.slowConsumerTimeoutMs);
    this.slowTimer.unref();
  }

  /** Bytes handed to this connection that have left its buffer (reached the OS). */
  private flushedBytes(): number {
    return this.counters.bytesSent - this.connection.bufferedBytes;
  }

  private checkSlowConsumer(): void {
    this.slowTimer = undefined;
    if (this.closed || !this.awaitingDrain) return;
    if (this.flushedBytes() > this.flushedAtArm) this.armSlowTimer();
    else this.events.onSlowConsumer();
  }

  private clearSlowTimer(): void {
    if (this.slowTimer !== undefined) clearTimeout(this.slowTimer);
    this.slowTimer = undefined;
  }
}

function rethrow(error: unknown): never {
  throw error;
}

/**
 * `chunks` with every run of chunks that lie back to back in one buffer (slab slices, msgpackr's
 * output) replaced by one view over the run: a turn of small frames is then one `Writable.write`
 * and one iovec instead of one per frame. The bytes are the same; nothing is copied.
 */
export function mergeAdjacent(chunks: readonly Uint8Array[]): Uint8Array[] {
  // Built as the first run closes: an array literal is far cheaper than an empty array's first
  // push (see NO_CHUNKS), and most batches are one run.
  let out: Uint8Array[] | undefined;
  // A typed array's `buffer` and `byteOffset` are slow getters in V8 (`buffer` about 45 ns): each
  // is read once per chunk, the run's kept in locals.
  let run = chunks[0]!;
  let runBuffer = run.buffer;
  let start = run.byteOffset;
  let end = start + run.length;
  for (let i = 1; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    const offset = chunk.byteOffset;
    if (offset === end && chunk.buffer === runBuffer) {
      end += chunk.length;
      continue;
    }
    const view = viewOf(run, runBuffer, start, end);
    if (out === undefined) out = [view];
    else out.push(view);
    run = chunk;
    runBuffer = chunk.buffer;
    start = offset;
    end = offset + chunk.length;
  }
  const last = viewOf(run, runBuffer, start, end);
  if (out === undefined) return [last];
  out.push(last);
  return out;
}

/** `run` itself when it spans [start, end) of `buffer`, else a view of that span. */
function viewOf(run: Uint8Array, buffer: ArrayBufferLike, start: number, end: number): Uint8Array {
  return end - start === run.length ? run : new Uint8Array(buffer, start, end - start);
}
