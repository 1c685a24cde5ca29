/**
 * One outbound call, from `request()` to its settlement, and its deadline. A call hears its
 * signal's abort through `handleEvent` (the peer keeps one listener per signal, abort-watch.ts) and
 * is its own deadline entry (`onDeadline`), so it allocates no closure beyond its promise's executor.
 *
 * Every deadline of a peer (outbound calls here, inbound handlers in handler-run.ts) is on ONE
 * timer: a binary min-heap of entries with one armed, unref'd `setTimeout` for the earliest. A
 * `setTimeout` per call costs an allocation and a libuv timer insert per call; this costs two
 * O(log n) heap operations, and n is bounded by `maxPendingCalls` + the handler limits.
 *
 * Most calls of a peer share one budget (`requestTimeoutMs`), so their deadlines come in order and
 * they settle about in order: each such entry goes to a queue instead of the heap (O(1) to add,
 * and to remove at its head, where a settled call usually is), as Node keeps one list of timers
 * per duration. With 256 calls in flight, taking the oldest off the heap walked 8 levels per call
 * (about 6% of a client's CPU at c=256). An entry due before the queue's last one goes to the heap.
 *
 * Removing an entry never re-arms or disarms the timer (that would be a clearTimeout + setTimeout
 * per settled call): the timer fires at the old earliest time, finds nothing due, and re-arms for
 * the new top, if any.
 */
import { MAX_TIMER_MS } from "@parley/framing/internal";
import type { CallerStream } from "./stream-ports.js";
import type { Metadata } from "./wire-messages.js";

/** Where a call is in its life. */
export const CallPhase = {
  /** Queued locally: not written (waiting for the handshake, backpressure or the pending limit). */
  Waiting: 0,
  /** Written: the remote may be running it. */
  Sent: 1,
  /** Settled: resolved or rejected, exactly once. */
  Settled: 2,
} as const;
/** One of the {@link CallPhase} values. */
export type CallPhase = (typeof CallPhase)[keyof typeof CallPhase];

/** Receives a call's abort and deadline events (the outbound call registry). */
export interface PendingCallOwner {
  onCallAborted(call: PendingCall): void;
  onCallDeadline(call: PendingCall): void;
}

/** An outbound call. */
export class PendingCall implements Deadlined {
  /** Wire id, assigned when the Request is written (0 until then). */
  id = 0;
  phase: CallPhase = CallPhase.Waiting;
  heapIndex = -1;
  /** The call's streams, for a stream method (outbound-stream.ts). */
  stream: CallerStream | undefined = undefined;
  /** The input, kept only until the Request is written. */
  input: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly promise: Promise<unknown>;

  constructor(
    private readonly owner: PendingCallOwner,
    readonly method: string,
    input: unknown,
    readonly metadata: Metadata | undefined,
    /** `performance.now()` time by which the call must settle. */
    readonly dueAt: number,
    /** Total budget the call started with, for messages. */
    readonly timeoutMs: number,
    readonly signal: AbortSignal | undefined,
    /** Stack captured at the call site when `captureCallSites` is on. */
    readonly callSite: Error | undefined,
  ) {
    this.input = input;
    this.promise = new Promise(captureSettlers);
    this.resolve = capturedResolve;
    this.reject = capturedReject;
    capturedResolve = capturedReject = noop; // holds no settled call's value
  }

  /** AbortSignal listener (the EventListener object form: no closure per call). */
  handleEvent(): void {
    this.owner.onCallAborted(this);
  }

  onDeadline(): void {
    this.owner.onCallDeadline(this);
  }
}

// The promise executor is one function for every call, not a closure per call: it leaves the
// settlers here and the constructor takes them at once (the executor runs synchronously).
let capturedResolve: (value: unknown) => void = noop;
let capturedReject: (error: Error) => void = noop;
function captureSettlers(resolve: (value: unknown) => void, reject: (error: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}
function noop(): void {}

/** A signal waiting for the handshake or for backpressure to clear. */
export class QueuedSignal {
  settled = false;
  resolve!: () => void;
  reject!: (error: Error) => void;
  readonly promise: Promise<void>;

  constructor(
    readonly name: string,
    readonly payload: unknown,
    readonly metadata: Metadata | undefined,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/**
 * Something with a deadline. The timer owns `heapIndex`: -1 means "not in the timer"; 0 and up, a
 * place in the heap; -2 and down, a place in the queue.
 */
export interface Deadlined {
  /** `performance.now()` time at which {@link Deadlined.onDeadline} is due. */
  readonly dueAt: number;
  heapIndex: number;
  /** Called once when the deadline passes, after the entry left the timer. */
  onDeadline(): void;
}

/** Milliseconds on the monotonic clock all deadlines use. */
export function monotonicNow(): number {
  return performance.now();
}

/** A min-heap and an ordered queue of {@link Deadlined} entries, driven by one timer. */
export class DeadlineTimer {
  private readonly heap: Deadlined[] = [];
  /**
   * Entries in deadline order in [queueHead, queueEnd); a removed one leaves a hole until
   * compacted. Emptied, the array is kept (only its ends move): no allocation per call.
   */
  private readonly queue: (Deadlined | undefined)[] = [];
  private queueHead = 0;
  private queueEnd = 0;
  private queued = 0;
  /** Deadline of the last entry queued: a later-or-equal one may join the queue. */
  private queueTail = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Deadline the armed timer was set for; `Infinity` when none is armed. */
  private armedFor = Number.POSITIVE_INFINITY;
  private readonly fire = (): void => this.onTimer();

  /** Entries in the timer. */
  get size(): number {
    return this.heap.length + this.queued;
  }

  /** Adds `entry`; arms the timer when it is now the earliest deadline. */
  add(entry: Deadlined): void {
    const due = entry.dueAt;
    // A lone long-lived entry (a stream of an hour) at the queue's tail would send every shorter
    // call to the heap while it lives: it moves to the heap instead, and the queue starts anew.
    if (due < this.queueTail && this.queued === 1) this.heapLoneQueued();
    if (due >= this.queueTail && due !== Number.POSITIVE_INFINITY) {
      entry.heapIndex = -2 - this.queueEnd;
      this.queue[this.queueEnd++] = entry;
      this.queued++;
      this.queueTail = due;
    } else {
      entry.heapIndex = this.heap.length;
      this.heap.push(entry);
      this.siftUp(entry.heapIndex);
    }
    if (due < this.armedFor) this.arm(due);
  }

  /** Removes `entry` if it is in the timer. */
  remove(entry: Deadlined): void {
    const i = entry.heapIndex;
    if (i === -1) return;
    entry.heapIndex = -1;
    if (i < -1) {
      this.unqueue(-2 - i);
      return;
    }
    const last = this.heap.pop()!;
    if (last !== entry) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.siftDown(i);
      this.siftUp(last.heapIndex);
    }
    // An empty heap keeps its timer: it fires once, finds nothing, and stops. Disarming here would
    // cost a clearTimeout + setTimeout per call when calls run one at a time.
  }

  /** Empties the timer without calling anyone and stops it. */
  clear(): void {
    for (const entry of this.heap) entry.heapIndex = -1;
    for (const entry of this.queue) if (entry !== undefined) entry.heapIndex = -1;
    this.heap.length = 0;
    this.queue.length = 0;
    this.resetQueue();
    this.disarm();
  }

  /** The entry due first, or undefined. */
  private earliest(): Deadlined | undefined {
    const top = this.heap[0];
    const head = this.queued > 0 ? this.queue[this.queueHead] : undefined;
    if (top === undefined || (head !== undefined && head.dueAt < top.dueAt)) return head;
    return top;
  }

  private unqueue(at: number): void {
    const queue = this.queue;
    queue[at] = undefined;
    if (--this.queued === 0) {
      this.resetQueue();
      return;
    }
    // Keep the head on a live entry; holes behind it wait until compacted.
    if (at === this.queueHead) while (queue[this.queueHead] === undefined) this.queueHead++;
    const holes = this.queueEnd - this.queued;
    if (holes > 64 && holes > this.queued) this.compact();
  }

  /** Moves the one queued entry into the heap and empties the queue. */
  private heapLoneQueued(): void {
    const entry = this.queue[this.queueHead]!;
    this.queue[this.queueHead] = undefined;
    this.resetQueue();
    entry.heapIndex = this.heap.length;
    this.heap.push(entry);
    this.siftUp(entry.heapIndex);
  }

  /** Moves the live entries to the front, in order: O(n), after more than n removals. */
  private compact(): void {
    const queue = this.queue;
    let to = 0;
    for (let i = this.queueHead; i < this.queueEnd; i++) {
      const entry = queue[i];
      if (entry === undefined) continue;
      entry.heapIndex = -2 - to;
      queue[to++] = entry;
    }
    queue.fill(undefined, to, this.queueEnd);
    this.queueHead = 0;
    this.queueEnd = to;
  }

  /** Every slot is a hole again (each removal cleared its own). */
  private resetQueue(): void {
    this.queueHead = 0;
    this.queueEnd = 0;
    this.queued = 0;
    this.queueTail = Number.NEGATIVE_INFINITY;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = monotonicNow();
    // Take off before calling: a callback may add or remove entries.
    for (let due = this.earliest(); due !== undefined && due.dueAt <= now; due = this.earliest()) {
      this.remove(due);
      due.onDeadline();
    }
    const next = this.earliest();
    if (next !== undefined && next.dueAt < this.armedFor) this.arm(next.dueAt);
  }

  private arm(deadline: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    // +1: setTimeout has millisecond resolution and may fire a fraction early. Capped: a longer delay
    // fires after 1 ms in Node; at the cap the timer fires early, finds nothing due and re-arms.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(deadline - monotonicNow()) + 1));
    this.timer = setTimeout(this.fire, delay);
    this.timer.unref();
    this.armedFor = deadline;
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const entry = heap[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.dueAt <= entry.dueAt) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right]!.dueAt < heap[left]!.dueAt ? right : left;
      const childEntry = heap[child]!;
      if (childEntry.dueAt >= entry.dueAt) break;
      heap[i] = childEntry;
      childEntry.heapIndex = i;
      i = child;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }
}
