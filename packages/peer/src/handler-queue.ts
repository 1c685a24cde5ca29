/**
 * Bounded handler concurrency: at most `maxRunning` handlers run at once; more wait in p-queue, in
 * order. p-queue costs about 4 µs per task (an options copy, a Symbol, a Map entry with Date.now(),
 * events, three promise layers; benchmarks/src/micro/peer.ts), which is most of a round trip on a
 * fast link. So a handler starts directly while a slot is free and nobody waits, and p-queue holds
 * only the overflow. Its concurrency is kept at the slots the direct handlers leave free (paused at
 * zero), so direct + queued handlers never exceed `maxRunning`.
 */
import PQueue from "p-queue";

/** A handler run: sync (returns when done) or async (returns a promise). */
export type HandlerTask = () => undefined | Promise<void>;

/** Runs handlers with at most `maxRunning` at once, the rest queued in order. */
export class HandlerQueue {
  private readonly queue: PQueue;
  /** Handlers started directly, not through p-queue. */
  private direct = 0;

  constructor(private readonly maxRunning: number) {
    this.queue = new PQueue({ concurrency: maxRunning });
  }

  /** Handlers running now. */
  get running(): number {
    return this.direct + this.queue.pending;
  }

  /** Handlers waiting for a slot. */
  get queued(): number {
    return this.queue.size;
  }

  /** True when {@link run} would start a task at once rather than queue it. */
  get runsNow(): boolean {
    return this.queue.size === 0 && this.running < this.maxRunning;
  }

  /** Runs `task` now if a slot is free and nobody waits, else queues it. */
  run(task: HandlerTask): void {
    if (!this.runsNow) {
      this.syncQueue();
      this.queue.add(async () => task()).catch(noop);
      return;
    }
    // p-queue is empty here, so its concurrency only matters again once something is queued.
    this.direct++;
    const pending = task();
    if (pending === undefined) this.directDone();
    else pending.then(this.directDoneBound, this.directDoneBound);
  }

  private readonly directDoneBound = (): void => this.directDone();

  private directDone(): void {
    this.direct--;
    if (this.queue.size > 0) this.syncQueue();
  }

  /** Gives p-queue the slots the direct handlers leave free; pauses it when there are none. */
  private syncQueue(): void {
    const free = this.maxRunning - this.direct;
    if (free === 0) {
      this.queue.pause();
      return;
    }
    if (this.queue.concurrency !== free) this.queue.concurrency = free;
    if (this.queue.isPaused) this.queue.start();
  }
}

function noop(): void {}
