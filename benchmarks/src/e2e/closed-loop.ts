/**
 * The closed-loop load generator: `concurrency` workers, each sending its next request as soon as
 * the previous one completes. One run has three phases on one connection, with no pause between the
 * first two so slow systems are not drained twice:
 *
 *   warm-up ──(warmupMs or warmupRequests)──▶ measure ──(durationMs or maxRequests)──▶ drain
 *
 * Throughput counts the requests that complete inside the measured window, divided by its length
 * (what wrk does): with a steady closed loop this is unbiased however long each request takes.
 * Latency is recorded for the same requests, from just before the call to its completion. Each
 * phase also waits until every worker has completed a request (once per worker on average), within
 * PHASE_STRETCH_MS. In the drain phase no request starts; the run ends when the last one settles.
 *
 * A promise client is driven by `concurrency` async workers; a callback client by its reply
 * callback, which sends the next request at once (its send times sit in a ring, since its replies
 * come back in order), so the generator adds no promise per request to the ceiling's figures.
 */
import { type CallbackEchoClient, type EchoClient, isCallbackClient } from "../systems/system.js";
import { LatencyHistogram } from "./histogram.js";

/** How much load to apply, and for how long. */
export interface ClosedLoopOptions {
  /** Requests kept in flight. */
  readonly concurrency: number;
  /** Bytes sent (and expected back) by every request. */
  readonly payload: Uint8Array;
  /** The warm-up ends after this many milliseconds... */
  readonly warmupMs: number;
  /** ...or this many completed requests, whichever comes first. */
  readonly warmupRequests: number;
  /** The measured window ends after this many milliseconds... */
  readonly durationMs: number;
  /** ...or this many recorded requests, whichever comes first. */
  readonly maxRequests: number;
  /** Called as the measured window opens and closes (the harness reads the server's CPU then). */
  readonly onWindow?: (edge: "open" | "close") => void;
}

/** What one run observed inside its measured window. */
export interface ClosedLoopResult {
  /** Requests that completed in the window with the expected number of bytes. */
  readonly completed: number;
  /** Requests that failed or returned the wrong number of bytes (in any phase). */
  readonly errors: number;
  /** The first failure, for the report. */
  readonly firstError: string | undefined;
  /** Length of the measured window. */
  readonly elapsedMs: number;
  /** Latency of the requests counted in `completed`. */
  readonly histogram: LatencyHistogram;
}

type Phase = "warmup" | "measure" | "drain";

/**
 * How far a phase may run past its nominal length to reach its minimum count: a slow system at
 * concurrency 256 needs longer than a short window for each worker to complete even once.
 */
export const PHASE_STRETCH_MS = 10_000;

class LoopRun {
  private phase: Phase = "warmup";
  private readonly histogram = new LatencyHistogram();
  /** Each worker settles at least one request before (and inside) the window. */
  private readonly minPerPhase: number;
  /** Requests settled (completed or failed) in the current phase. */
  private settled = 0;
  private completed = 0;
  private errors = 0;
  private firstError: string | undefined;
  private readonly warmupDeadline: number;
  private windowStart = 0;
  private windowEnd = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: EchoClient | CallbackEchoClient,
    private readonly options: ClosedLoopOptions,
  ) {
    this.warmupDeadline = performance.now() + options.warmupMs;
    this.minPerPhase = Math.min(options.concurrency, options.maxRequests);
  }

  async run(): Promise<ClosedLoopResult> {
    // Timers move the phase on when no request completes for a while; completions do it otherwise.
    this.schedule(this.options.warmupMs);
    const { client } = this;
    if (isCallbackClient(client)) {
      await this.drive(client);
    } else {
      const workers: Promise<void>[] = [];
      for (let i = 0; i < this.options.concurrency; i++) workers.push(this.worker(client));
      await Promise.all(workers);
    }
    clearTimeout(this.timer);
    return {
      completed: this.completed,
      errors: this.errors,
      firstError: this.firstError,
      elapsedMs: this.windowEnd - this.windowStart,
      histogram: this.histogram,
    };
  }

  /** Keeps `concurrency` requests in flight through the callback client until the drain ends. */
  private drive(client: CallbackEchoClient): Promise<void> {
    const slots = this.options.concurrency;
    const expected = this.options.payload.byteLength;
    const sentAt = new Float64Array(slots);
    let sent = 0;
    let replied = 0;
    return new Promise((resolve) => {
      client.onReply = (bytes, failure) => {
        if (bytes < 0) {
          for (; replied < sent; replied++) this.fail(failure ?? "connection failed");
          return resolve();
        }
        const end = performance.now();
        const start = sentAt[replied++ % slots]!;
        if (bytes === expected) this.complete(start, end);
        else {
          this.fail(`echo returned ${bytes} bytes for ${expected}`);
          this.advance(end);
        }
        if (this.phase !== "drain") {
          sentAt[sent++ % slots] = end;
          client.send();
        } else if (replied === sent) resolve();
      };
      const now = performance.now();
      for (; sent < slots; sent++) {
        sentAt[sent] = now;
        client.send();
      }
    });
  }

  private async worker(client: EchoClient): Promise<void> {
    const { options } = this;
    for (;;) {
      const start = performance.now();
      this.advance(start);
      if (this.phase === "drain") return;
      try {
        const reply = await client.echo(options.payload);
        const end = performance.now();
        if (reply.byteLength === options.payload.byteLength) this.complete(start, end);
        else this.fail(`echo returned ${reply.byteLength} bytes for ${options.payload.byteLength}`);
      } catch (error) {
        this.fail(error instanceof Error ? error.message : String(error));
      }
    }
  }

  private complete(start: number, end: number): void {
    if (this.phase === "measure") {
      this.histogram.recordNs((end - start) * 1e6);
      this.completed++;
    }
    this.settled++;
    this.advance(end);
  }

  private fail(message: string): void {
    this.errors++;
    this.firstError ??= message;
    this.settled++;
  }

  /** Moves to the next phase when due. Also called per request: a failing client never yields. */
  private advance(now: number): void {
    const { options } = this;
    if (this.phase === "warmup") {
      const due = now >= this.warmupDeadline && this.settled >= this.minPerPhase;
      if (
        due ||
        this.settled >= options.warmupRequests ||
        now >= this.warmupDeadline + PHASE_STRETCH_MS
      ) {
        this.openWindow(now);
      }
    } else if (this.phase === "measure") {
      const deadline = this.windowStart + options.durationMs;
      const due = now >= deadline && this.settled >= this.minPerPhase;
      if (due || this.completed >= options.maxRequests || now >= deadline + PHASE_STRETCH_MS) {
        this.closeWindow(now);
      }
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const phase = this.phase;
      const now = performance.now();
      this.advance(now);
      if (this.phase !== phase) return; // the next phase scheduled its own timer
      // Not due yet for want of completions: look again at the stretch limit.
      const phaseEnd =
        phase === "warmup" ? this.warmupDeadline : this.windowStart + this.options.durationMs;
      if (now < phaseEnd + PHASE_STRETCH_MS) this.schedule(phaseEnd + PHASE_STRETCH_MS - now);
    }, delayMs);
  }

  private openWindow(now: number): void {
    this.phase = "measure";
    this.settled = 0;
    this.windowStart = now;
    this.options.onWindow?.("open");
    this.schedule(this.options.durationMs);
  }

  private closeWindow(now: number): void {
    clearTimeout(this.timer);
    this.phase = "drain";
    this.windowEnd = now;
    this.options.onWindow?.("close");
  }
}

/** Drives `client` through warm-up, a measured window and a drain; returns the window's figures. */
export function runClosedLoop(
  client: EchoClient | CallbackEchoClient,
  options: ClosedLoopOptions,
): Promise<ClosedLoopResult> {
  return new LoopRun(client, options).run();
}

/** A payload of `bytes` bytes with varied content (so no layer can special-case zeros). */
export function makePayload(bytes: number): Uint8Array {
  const payload = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) payload[i] = (i * 31 + 7) & 0xff;
  return payload;
}
