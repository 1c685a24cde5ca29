/**
 * The calls this side makes: admission (handshake, backpressure, pending limit), id assignment,
 * pairing of Responses, deadlines, cancellation, Bye crossing and settlement. Every path that ends a
 * call goes through {@link OutboundCalls.settle}, which refuses a second settlement: a call settles
 * exactly once whatever happens.
 */

import type { AnyContract } from "@parley/codec";
import { fromWireError, type WireError } from "@parley/codec";
import { AbortWatch } from "./abort-watch.js";
import type { ContractGaps } from "./contract-agreement.js";
import {
  asError,
  CancelledError,
  DeadlineExceededError,
  peerErrorForRemoteCode,
  UnavailableError,
} from "./errors.js";
import { FifoQueue } from "./fifo-queue.js";
import { IdTable } from "./id-table.js";
import type { OutboundStream, StreamCallOwner } from "./outbound-stream.js";
import {
  CallPhase,
  type DeadlineTimer,
  monotonicNow,
  type PendingCall,
  type PendingCallOwner,
  QueuedSignal,
} from "./pending-call.js";
import { isSerialAfter, nextId } from "./serial-ids.js";
import type { Frame } from "./split-frame.js";
import { Kind, ResponseStatus } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";
import type { Metadata, ResponseMessage } from "./wire-messages.js";

/** What the registry needs from the peer. */
export interface OutboundPort {
  /** True when Request and Signal frames may be written now (ready, not closing, not blocked). */
  canWrite(): boolean;
  /** Queues a frame for this turn's write; `call` for a Request or Signal (the outbox's `auto`). */
  write(frame: Frame, call?: boolean): void;
  /** Reports what no caller can be told. */
  warn(message: string): void;
  /** Requests in flight allowed: min(maxPendingCalls, the remote's maxConcurrentRequests). */
  maxInFlight(): number;
  /** Where a Request with a byte-string body is encoded: the connection's frame memory, if any. */
  readonly frameMemory: ((bytes: number) => Uint8Array) | undefined;
}

/** Counters the registry keeps (a slice of the peer's stats). */
export interface OutboundCounters {
  requestsSent: number;
  responsesReceived: number;
  unknownResponses: number;
  cancelsSent: number;
  signalsSent: number;
}

/** Outcome counts for `CloseInfo.calls`: each call lands in exactly one. */
export interface CallCounts {
  /** Answered by the remote (OK or an error response). */
  completed: number;
  /** Failed locally: deadline, cancel, refused by Bye, never sent, too large, invalid response... */
  rejected: number;
  /** In flight when the connection ended: `CONNECTION_LOST` or `ABANDONED`. */
  abandoned: number;
}

/** The outbound call registry of one peer. */
export class OutboundCalls implements PendingCallOwner, StreamCallOwner {
  readonly counts: CallCounts = { completed: 0, rejected: 0, abandoned: 0 };
  private readonly inFlight = new IdTable<PendingCall>();
  private readonly waiting = new FifoQueue<PendingCall | QueuedSignal>();
  /** The calls' signals, one listener each however many calls share one. */
  private readonly aborts = new AbortWatch<PendingCall>();
  private lastId = 0;
  /** Members the remote does not serve (set at Hello): calls to them fail here, unwritten. */
  private gaps: ContractGaps | undefined;

  constructor(
    private readonly port: OutboundPort,
    private readonly wire: WireFormat,
    private readonly timers: DeadlineTimer,
    private readonly contract: AnyContract | undefined,
    private readonly counters: OutboundCounters,
  ) {}

  /** Calls written and not yet answered. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Calls and signals queued locally. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /**
   * Starts `call` (made by the call gate at `now`, the clock's reading, with its deadline and
   * signal): writes it now if allowed, else queues it (its deadline keeps running). `stream`: the
   * call's streams, for a stream method.
   */
  start(call: PendingCall, now: number, stream: OutboundStream | undefined): Promise<unknown> {
    if (stream !== undefined) {
      call.stream = stream;
      const unreadable = stream.attach(call, this);
      if (unreadable !== undefined) {
        this.fail(call, unreadable);
        return call.promise;
      }
    }
    const signal = call.signal;
    if (signal?.aborted) {
      this.fail(call, cancelled(call, CallPhase.Waiting));
      return call.promise;
    }
    this.timers.add(call);
    if (signal !== undefined) this.aborts.watch(signal, call);
    if (this.waiting.length === 0 && this.canSendCall()) {
      this.send(call, now);
    } else {
      this.waiting.push(call);
      // The queue may hold only settled (cancelled, expired) entries: let them go now.
      if (this.port.canWrite()) this.admit();
    }
    return call.promise;
  }

  /** Queues or writes a signal; the promise resolves once its frame is queued for writing. */
  signal(name: string, payload: unknown, metadata: Metadata | undefined): Promise<void> {
    const item = new QueuedSignal(name, payload, metadata);
    if (this.waiting.length === 0 && this.port.canWrite()) {
      this.sendSignal(item);
    } else {
      this.waiting.push(item);
      if (this.port.canWrite()) this.admit();
    }
    return item.promise;
  }

  /** From now on, calls and signals the remote does not serve fail with UNIMPLEMENTED, unwritten. */
  refuseGaps(gaps: ContractGaps | undefined): void {
    this.gaps = gaps;
  }

  /** Writes queued calls and signals while the port allows, in order. */
  admit(): void {
    while (this.waiting.length > 0 && this.port.canWrite()) {
      const head = this.waiting.peek()!;
      if (head instanceof QueuedSignal) {
        this.waiting.shift();
        if (!head.settled) this.sendSignal(head);
        continue;
      }
      if (head.phase === CallPhase.Settled) {
        this.waiting.shift();
        continue;
      }
      // Its signal may have aborted before the call heard it: an earlier call sharing the signal
      // heard the abort first and freed the slot this one would take. It must not go out.
      if (head.signal?.aborted) {
        this.waiting.shift();
        this.fail(head, cancelled(head, CallPhase.Waiting));
        continue;
      }
      if (this.inFlight.size >= this.port.maxInFlight()) return;
      this.waiting.shift();
      this.send(head);
    }
  }

  /** Pairs a Response with its call; an unknown id is counted, never fatal. */
  onResponse(m: ResponseMessage): void {
    const call = this.inFlight.get(m.id);
    if (call === undefined) {
      // A Response that crossed our Cancel, or a confused remote: counted, reported, not fatal.
      this.counters.unknownResponses++;
      this.port.warn(`dropped a Response for request ${m.id}, which has no call in flight`);
      return;
    }
    call.stream?.onFinal(m);
    this.counters.responsesReceived++;
    this.counts.completed++;
    if (m.status !== ResponseStatus.Ok || m.bodyError !== undefined) {
      this.settle(call, this.failure(call, m));
    } else if (this.contract === undefined) {
      this.settle(call, undefined, m.body);
    } else {
      const parsed = this.contract.parseOutput(call.method, m.body);
      if (parsed.ok) this.settle(call, undefined, parsed.value);
      else this.settle(call, parsed.error);
    }
    this.admit();
  }

  /** The call of request `id` while it is in flight. */
  callFor(id: number): PendingCall | undefined {
    return this.inFlight.get(id);
  }

  /** Settles `call` here with `error` (a stream's consumer left, a bad item) and sends Cancel. */
  giveUp(call: PendingCall, error: Error): void {
    if (call.phase === CallPhase.Settled) return;
    this.counts.rejected++;
    if (this.settle(call, error)) this.sendCancel(call);
    this.admit();
  }

  /** The remote's Bye: calls after `lastAcceptedId` crossed it and were not executed. */
  onRemoteBye(lastAcceptedId: number): void {
    // The queue first: failing a crossed call frees its slot, and the queue must not move into it
    // (a Request written now crosses the Bye too, and would be reported as maybe executed).
    this.rejectWaiting(() => new UnavailableError("the remote is closing (Bye received)"));
    for (const call of this.inFlight.values()) {
      if (isSerialAfter(call.id, lastAcceptedId)) {
        this.fail(
          call,
          new UnavailableError(
            `${call.method} crossed the remote's Bye (request ${call.id} > last accepted ` +
              `${lastAcceptedId}); it was not executed and is safe to retry`,
          ),
        );
      }
    }
  }

  /** Rejects every call and signal not yet written. */
  rejectWaiting(error: () => Error): void {
    for (const item of this.waiting.drain()) {
      if (item instanceof QueuedSignal) {
        if (!item.settled) {
          item.settled = true;
          item.reject(error());
        }
      } else {
        this.fail(item, error());
      }
    }
  }

  /** The connection ended: rejects everything, written calls with `inFlightError`. */
  failAll(waitingError: () => Error, inFlightError: (call: PendingCall) => Error): void {
    this.rejectWaiting(waitingError);
    for (const call of this.inFlight.values()) {
      this.counts.abandoned++;
      this.settle(call, inFlightError(call));
    }
  }

  onCallAborted(call: PendingCall): void {
    this.fail(call, cancelled(call, call.phase));
  }

  onCallDeadline(call: PendingCall): void {
    const sent = call.phase === CallPhase.Sent;
    const error = new DeadlineExceededError(
      `${call.method} did not complete within ${call.timeoutMs} ms ` +
        `(${sent ? "sent, no answer yet" : "never sent: still queued locally"}); ` +
        "raise timeoutMs on the call or requestTimeoutMs on the peer",
      { notExecuted: !sent },
    );
    if (call.callSite?.stack)
      error.stack += `\n    --- call started at ---${stackTail(call.callSite)}`;
    this.fail(call, error);
  }

  private canSendCall(): boolean {
    return this.port.canWrite() && this.inFlight.size < this.port.maxInFlight();
  }

  /** Writes `call`'s Request; `now` is the clock's reading when it is fresh (a call not queued). */
  private send(call: PendingCall, now = monotonicNow()): void {
    // Never more than the caller asked for: (now + t) - now can come out a hair above t in floating
    // point, and rounding up would then put one millisecond more on the wire.
    const timeoutMs = Math.min(call.timeoutMs, Math.ceil(call.dueAt - now));
    if (timeoutMs <= 0) {
      this.onCallDeadline(call);
      return;
    }
    const gap = this.gaps?.request(call.method) ?? call.stream?.refusal();
    if (gap !== undefined) {
      this.settle(call, gap);
      return;
    }
    const id = nextId(this.lastId, this.inFlight);
    let frame: Frame;
    try {
      frame = this.wire.encodeFrame(
        {
          kind: Kind.Request,
          id,
          timeoutMs: timeoutMs === Number.POSITIVE_INFINITY ? 0 : timeoutMs, // a stream's Infinity
          method: call.method,
          metadata: call.metadata,
          body: call.input,
          more: call.stream?.shape.accepts,
        },
        this.port.frameMemory,
      );
    } catch (error) {
      this.fail(call, asError(error));
      return;
    }
    this.lastId = id;
    call.id = id;
    call.phase = CallPhase.Sent;
    call.input = undefined;
    this.inFlight.add(call);
    this.counters.requestsSent++;
    this.port.write(frame, true);
    call.stream?.opened();
  }

  private sendSignal(item: QueuedSignal): void {
    item.settled = true;
    const gap = this.gaps?.signal(item.name);
    if (gap !== undefined) {
      item.reject(gap);
      return;
    }
    let frame: Frame;
    try {
      const m = { kind: Kind.Signal, name: item.name, metadata: item.metadata, body: item.payload };
      frame = this.wire.encodeFrame(m);
    } catch (error) {
      item.reject(asError(error));
      return;
    }
    this.counters.signalsSent++;
    this.port.write(frame, true);
    item.resolve();
  }

  /** The error a Response that is not a decodable OK carries for `call`. */
  private failure(call: PendingCall, m: ResponseMessage): Error {
    if (m.bodyError !== undefined) return m.bodyError;
    // fromWireError coerces a malformed body (it came from the network).
    const remote = fromWireError(m.body as WireError);
    if (m.status !== ResponseStatus.Rejected) return remote;
    const message = `remote rejected ${call.method}: ${remote.message}`;
    return peerErrorForRemoteCode(remote.code, message, { cause: remote }) ?? remote;
  }

  /**
   * A call that fails here, not by the remote's answer or the connection's end: counted rejected.
   * Written and given up (deadline, AbortSignal), the remote is told to stop with Cancel; its slot
   * frees, so waiting calls may go.
   */
  private fail(call: PendingCall, error: Error): void {
    if (call.phase === CallPhase.Settled) return;
    this.counts.rejected++;
    if (!this.settle(call, error)) return;
    if (isLocalGiveUp(error)) this.sendCancel(call);
    this.admit();
  }

  /**
   * Settles `call` once: rejects it with `error`, or resolves it with `value` when `error` is
   * undefined (a value, never wrapped: a handler may return an Error object and it still resolves).
   * Counting, Cancel and admission are the caller's. True when the call was in flight (its id is
   * free again).
   */
  private settle(call: PendingCall, error: Error | undefined, value?: unknown): boolean {
    if (call.phase === CallPhase.Settled) return false;
    const wasSent = call.phase === CallPhase.Sent;
    call.phase = CallPhase.Settled;
    call.input = undefined;
    this.timers.remove(call);
    if (call.signal !== undefined) this.aborts.unwatch(call.signal, call);
    const inFlight = wasSent && this.inFlight.get(call.id) === call;
    if (inFlight) this.inFlight.delete(call.id);
    call.stream?.ended(error);
    if (error === undefined) call.resolve(value);
    else call.reject(error);
    return inFlight;
  }

  private sendCancel(call: PendingCall): void {
    this.counters.cancelsSent++;
    this.port.write(this.wire.encode({ kind: Kind.Cancel, id: call.id }));
  }
}

function isLocalGiveUp(error: Error): boolean {
  return error instanceof CancelledError || error instanceof DeadlineExceededError;
}

function cancelled(call: PendingCall, phase: CallPhase): CancelledError {
  return new CancelledError(`${call.method} was cancelled by its AbortSignal`, {
    cause: call.signal?.reason,
    notExecuted: phase !== CallPhase.Sent,
  });
}

function stackTail(site: Error): string {
  return (site.stack ?? "").split("\n").slice(1).join("\n");
}
