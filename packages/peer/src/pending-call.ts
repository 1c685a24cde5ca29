/**
 * One outbound call, from `request()` to its settlement. It is its own AbortSignal listener
 * (`handleEvent`) and its own deadline entry (`onDeadline`), so a call allocates no closure beyond
 * its promise's executor.
 */
import type { Deadlined } from "./deadline-timer.js";
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
  /** The input, kept only until the Request is written. */
  input: unknown;
  resolve!: (value: unknown) => void;
  reject!: (error: Error) => void;
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
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** AbortSignal listener (the EventListener object form: no closure per call). */
  handleEvent(): void {
    this.owner.onCallAborted(this);
  }

  onDeadline(): void {
    this.owner.onCallDeadline(this);
  }
}

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
