/**
 * The engine: one peer per connection. It builds its parts, connects them to the connection, and
 * owns the single path by which a peer ends ({@link PeerEngine.fail} or the graceful finish), so
 * every call and handler is settled exactly once, whatever happens.
 *
 * The parts, in the order they are built (each gets only parts built before it): Outbox (batched
 * writes and backpressure), HelloHandshake, Heartbeat, ByeHandshake, OutboundCalls (calls we make),
 * CallGate (where calls enter), InboundCalls (calls we serve), MessageRouter (where each inbound
 * message goes). What a part reports to the engine (a failure, readiness, the end of the Bye)
 * reaches the engine's methods, and only once `start()` has connected the peer, when every part
 * exists. The engine's state changes only through {@link PeerEngine.setState}.
 */

import type { Connection } from "@parley/framing";
import { ByeHandshake } from "./bye-handshake.js";
import { CallGate } from "./call-gate.js";
import { createNameProxy } from "./call-proxy.js";
import { DeadlineTimer } from "./deadline-timer.js";
import {
  asError,
  ConnectionLostError,
  PeerError,
  UnavailableError,
  UnimplementedError,
} from "./errors.js";
import { Heartbeat } from "./heartbeat.js";
import { encodeHello, HelloHandshake } from "./hello-handshake.js";
import { InboundCalls } from "./inbound-calls.js";
import { MessageRouter } from "./message-router.js";
import { OutboundCalls } from "./outbound-calls.js";
import { Outbox } from "./outbox.js";
import { createCounters, type PeerCounters } from "./peer-counters.js";
import {
  closeInfo,
  closeTimeoutError,
  connectionClosedError,
  type Ending,
  endedWithoutByeError,
  type Failure,
  inFlightCallError,
  slowConsumerError,
  unresponsiveError,
  waitingCallError,
} from "./peer-ending.js";
import { type PeerOptions, type ResolvedPeerOptions, resolvePeerOptions } from "./peer-options.js";
import { EngineState, engineTransition, PeerState, PUBLIC_STATE } from "./peer-state.js";
import type {
  CallerOf,
  CallOptions,
  CloseInfo,
  CloseInitiator,
  CloseReason,
  ContractLike,
  HelloInfo,
  Peer,
  PeerStats,
  SignalOptions,
  SignalSendersOf,
} from "./peer-types.js";
import type { Frame } from "./split-frame.js";
import type { WireFormat } from "./wire-format.js";
import type { Message } from "./wire-messages.js";

/**
 * Starts a peer on `connection`: attaches to it and writes Hello at once. Calls made before the
 * handshake completes wait for it (within their deadline).
 *
 * @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule.
 * @example
 * const peer = createPeer(connection, { calls: calculator });
 * await peer.ready;
 * const { sum } = await peer.call.add({ a: 1, b: 2 });
 * await peer.close();
 */
export function createPeer<
  S extends ContractLike | undefined = undefined,
  C extends ContractLike | undefined = undefined,
>(connection: Connection, options: PeerOptions<S, C> = {}): Peer<S, C> {
  return new PeerEngine<S, C>(connection, options);
}

/**
 * Checks `options` as {@link createPeer} does, without a connection: a server checks once, when
 * it starts, the options every connection it accepts will get.
 * @throws {InvalidOptionError} INVALID_OPTION when an option breaks its rule.
 */
export function checkPeerOptions(
  options: PeerOptions<ContractLike | undefined, ContractLike | undefined>,
): void {
  const o = resolvePeerOptions(options);
  encodeHello(o, o.wireFormat(o.codec, { maxFrameBytes: o.maxFrameBytes }));
}

class PeerEngine<S extends ContractLike | undefined, C extends ContractLike | undefined>
  implements Peer<S, C>
{
  readonly ready: Promise<HelloInfo>;
  readonly closed: Promise<CloseInfo>;
  readonly call: CallerOf<C>;
  readonly emit: SignalSendersOf<C>;
  readonly stats: PeerStats;
  private current: EngineState = EngineState.Handshaking;
  private readonly o: ResolvedPeerOptions;
  private readonly wire: WireFormat;
  private readonly counters: PeerCounters = createCounters();
  private readonly timers = new DeadlineTimer();
  private readonly outbox: Outbox;
  private readonly hello: HelloHandshake;
  private readonly heartbeat: Heartbeat;
  private readonly bye: ByeHandshake;
  private readonly outbound: OutboundCalls;
  private readonly gate: CallGate<CallerOf<C>>;
  private readonly inbound: InboundCalls<CallerOf<C>>;
  private readonly router: MessageRouter;
  private closeInitiator: CloseInitiator = "local";
  private closePromise: Promise<void> | undefined;
  private failure: Failure | undefined;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly settleReady: Settlers<HelloInfo>;
  private resolveClosed!: (info: CloseInfo) => void;
  private readonly onMessageBound = (m: Message): void => this.onMessage(m);
  private readonly writeBound = (frame: Frame): void => this.write(frame);
  private readonly warnBound = (message: string, error?: unknown): void =>
    this.warn(message, error);

  constructor(
    private readonly connection: Connection,
    options: PeerOptions<S, C>,
  ) {
    const o = resolvePeerOptions(options as PeerOptions<ContractLike, ContractLike>);
    this.o = o;
    const wire = o.wireFormat(o.codec, { maxFrameBytes: o.maxFrameBytes });
    this.wire = wire;
    const { counters, timers, writeBound: write, warnBound: warn } = this;
    const outbox = new Outbox(
      connection,
      o.maxBufferedBytes,
      o.slowConsumerTimeoutMs,
      { onWritable: () => this.onWritable(), onSlowConsumer: () => this.onSlowConsumer() },
      counters,
      o.flushScheduler,
    );
    this.outbox = outbox;
    const hello = new HelloHandshake(o, wire, connection.remoteAddress, {
      write,
      warn,
      fail: (error, initiator, reason, ending) => this.fail(error, initiator, reason, ending),
      ready: (info) => this.onReady(info),
      pause: () => connection.pause(),
      resume: () => connection.resume(),
      replay: (messages) => this.replay(messages),
      isClosed: () => this.isClosed(),
    });
    this.hello = hello;
    this.heartbeat = new Heartbeat(o.heartbeatIntervalMs, o.heartbeatTimeoutMs, wire, {
      write,
      onUnresponsive: () => this.onUnresponsive(),
    });
    const bye = new ByeHandshake(wire, { write, finish: () => this.finishGracefully() });
    this.bye = bye;
    const outbound = new OutboundCalls(
      {
        canWrite: () => this.current === EngineState.Open && !outbox.blocked,
        write,
        warn,
        maxInFlight: () =>
          Math.min(o.maxPendingCalls, Math.max(1, hello.remote?.maxConcurrentRequests ?? 1)),
      },
      wire,
      timers,
      o.calls,
      counters,
    );
    this.outbound = outbound;
    const gate = new CallGate<CallerOf<C>>(o, outbound, () => this.refusal());
    this.gate = gate;
    const inbound = new InboundCalls<CallerOf<C>>(
      {
        write,
        warn,
        // Only a closing peer waits for its handlers (to send ByeAck).
        onIdle: () => {
          if (this.current === EngineState.Closing) bye.maybeAck(true);
        },
        scopedCaller: (deadline, signal) => gate.scoped(deadline, signal),
      },
      wire,
      timers,
      o,
      counters,
    );
    this.inbound = inbound;
    this.router = new MessageRouter({
      hello,
      bye,
      inbound,
      outbound,
      heartbeat: this.heartbeat,
      counters,
      onRemoteBye: (lastAcceptedId) => this.onRemoteBye(lastAcceptedId),
    });
    this.stats = counters.withGauges({
      callsInFlight: () => outbound.inFlightCount,
      callsWaiting: () => outbound.waitingCount,
      handlersRunning: () => inbound.running,
      handlersQueued: () => inbound.queued,
      pingsSent: () => this.heartbeat.pingsSent,
      callsCompleted: () => outbound.counts.completed,
      callsRejected: () => outbound.counts.rejected,
      callsAbandoned: () => outbound.counts.abandoned,
    });
    this.call = createNameProxy(
      (m, input, opts) => gate.call(m, input, opts as CallOptions | undefined),
      o.calls?.requestNames,
    ) as CallerOf<C>;
    this.emit = createNameProxy(
      (name, payload) => gate.signal(name, payload, undefined),
      o.calls?.signalNames,
    ) as unknown as SignalSendersOf<C>;
    this.settleReady = settlers<HelloInfo>();
    this.ready = this.settleReady.promise;
    this.ready.catch(noop); // the failure also reaches `closed` and every pending call
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.start();
  }

  get state(): PeerState {
    return PUBLIC_STATE[this.current];
  }

  get side(): "client" | "server" {
    return this.o.side;
  }

  get serves(): S {
    return this.o.serves as S;
  }

  get calls(): C {
    return this.o.calls as C;
  }

  request(method: string, input: unknown, options?: CallOptions): Promise<never> {
    return this.gate.call(method, input, options) as Promise<never>;
  }

  signal(name: string, payload: unknown, options?: SignalOptions): Promise<void> {
    return this.gate.signal(name, payload, options);
  }

  close(): Promise<void> {
    this.closePromise ??= this.closed.then(noop);
    if (this.current === EngineState.Handshaking) this.hello.abandon();
    else if (this.current === EngineState.Open) this.beginClosing("local");
    return this.closePromise;
  }

  destroy(error?: Error): void {
    this.fail(error, "local", "abort", "reset");
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Every part exists: connects to the connection and sends Hello. */
  private start(): void {
    this.connection.attach({
      onData: (chunk) => this.onData(chunk),
      onEnd: () => this.onEnd(),
      onDrain: () => this.outbox.onDrain(),
      onClose: (error) => this.onConnectionClose(error),
    });
    this.hello.start();
  }

  /**
   * The one place the engine's state changes.
   * @throws Error when the engine is not in `expectedFrom` or the table refuses the move: a bug
   *   in the engine, never a condition of the remote.
   */
  private setState(expectedFrom: EngineState | readonly EngineState[], to: EngineState): void {
    this.current = engineTransition(this.current, expectedFrom, to);
  }

  // ---- calls ----------------------------------------------------------------------------------

  /** Why a new call or signal is refused now, or undefined. */
  private refusal(): Error | undefined {
    if (this.current === EngineState.Open) return this.notServed();
    if (this.current === EngineState.Handshaking) return undefined;
    const error = this.failure?.error;
    if (error instanceof PeerError && error.notExecuted) return error;
    return new UnavailableError(
      this.state === PeerState.Closing
        ? "the peer is closing; make new calls on a new connection"
        : "the peer is closed; make new calls on a new connection",
    );
  }

  /** The outbox took a batch and may take more: waiting calls may go. */
  private onWritable(): void {
    this.outbound.admit();
  }

  /** With `callsOptional`, a remote that serves no contract cannot be called: say so locally. */
  private notServed(): Error | undefined {
    const calls = this.o.calls;
    if (calls === undefined || this.hello.remote?.serves !== undefined) return undefined;
    return new UnimplementedError(
      `the remote serves no contract: it connected without serving ${calls.name}, so it cannot be ` +
        "called back; only remotes that pass `serves` can (see ctx.connection.remoteServes)",
    );
  }

  // ---- inbound bytes and messages ---------------------------------------------------------------

  private onData(chunk: Uint8Array): void {
    if (this.isClosed()) return;
    this.counters.bytesReceived += chunk.length;
    // Answers to this chunk's requests (from synchronous handlers) leave in one write as it ends.
    this.outbox.hold();
    try {
      this.wire.push(chunk, this.onMessageBound);
    } catch (error) {
      this.fail(asError(error), "local", "error", "reset");
    } finally {
      this.outbox.release();
    }
  }

  private onMessage(m: Message): void {
    if (this.isClosed()) return;
    this.counters.framesReceived++;
    this.heartbeat.activity();
    this.router.dispatch(m);
  }

  /** Routes the messages the Hello handshake held while verifying the remote's token. */
  private replay(messages: readonly Message[]): void {
    try {
      for (const m of messages) if (!this.isClosed()) this.router.dispatch(m);
    } catch (error) {
      this.fail(asError(error), "local", "error", "reset");
    }
  }

  private onReady(info: HelloInfo): void {
    this.setState(EngineState.Handshaking, EngineState.Open);
    this.heartbeat.start();
    this.settleReady.resolve(info);
    this.outbound.refuseGaps(this.hello.gaps);
    this.outbound.admit();
  }

  // ---- Bye --------------------------------------------------------------------------------------

  private beginClosing(initiator: CloseInitiator): void {
    this.setState(EngineState.Open, EngineState.Closing);
    this.closeInitiator = initiator;
    this.closeTimer = setTimeout(() => this.onCloseTimeout(), this.o.closeTimeoutMs);
    this.closeTimer.unref();
    this.outbound.rejectWaiting(
      () => new UnavailableError("the peer is closing; the call was never sent"),
    );
    this.bye.sendBye();
    this.bye.maybeAck(this.inbound.idle);
  }

  private onRemoteBye(lastAcceptedId: number): void {
    this.bye.onBye();
    this.outbound.onRemoteBye(lastAcceptedId);
    if (this.current === EngineState.Open) {
      this.beginClosing("remote");
    } else {
      this.bye.maybeAck(this.inbound.idle);
    }
  }

  /** ByeAck went both ways: every Response to our calls has arrived. End with a FIN. */
  private finishGracefully(): void {
    this.setState(EngineState.Closing, EngineState.Finishing);
    this.heartbeat.stop();
    this.outbound.failAll(
      () => new UnavailableError("the peer closed before the call was sent"),
      (call) => new ConnectionLostError(`the remote sent ByeAck without answering ${call.method}`),
    );
    this.outbox.flush();
    this.outbox.close();
    this.connection.end();
  }

  private onCloseTimeout(): void {
    const handlers = this.inbound.running + this.inbound.queued;
    const error = closeTimeoutError(this.o.closeTimeoutMs, this.outbound.inFlightCount, handlers);
    this.fail(error, this.closeInitiator, "timeout", "reset");
  }

  // ---- failures and the end ---------------------------------------------------------------------

  private onUnresponsive(): void {
    const error = unresponsiveError(this.o.heartbeatTimeoutMs, this.connection.remoteAddress);
    this.fail(error, "local", "error", "reset");
  }

  private onSlowConsumer(): void {
    const error = slowConsumerError(this.o.slowConsumerTimeoutMs, this.connection.remoteAddress);
    this.fail(error, "local", "error", "reset");
  }

  private onEnd(): void {
    if (this.current === EngineState.Finishing || this.isClosed()) return;
    const handshaking = this.current === EngineState.Handshaking;
    const error = endedWithoutByeError(this.connection.remoteAddress, handshaking);
    this.fail(error, "remote", "abort", "end");
  }

  private onConnectionClose(error: Error | undefined): void {
    if (this.current === EngineState.Closed) return;
    if (this.current === EngineState.Finishing) {
      this.stopTimers();
    } else if (this.current !== EngineState.Failed) {
      const handshaking = this.current === EngineState.Handshaking;
      const lost = connectionClosedError(this.connection.remoteAddress, error, handshaking);
      this.fail(lost, "remote", error ? "error" : "abort", "none");
    }
    this.setState([EngineState.Finishing, EngineState.Failed], EngineState.Closed);
    clearTimer(this.closeTimer);
    this.resolveClosed(closeInfo(this.failure, this.closeInitiator, this.outbound.counts));
  }

  /**
   * The one way a peer ends other than the graceful finish: settles every call and handler, then
   * resets or ends the connection. The first cause wins; a later `destroy()` only escalates an
   * ending connection to a reset.
   */
  private fail(
    error: Error | undefined,
    initiator: CloseInitiator,
    reason: CloseReason,
    ending: Ending,
  ): void {
    if (this.isClosed()) {
      if (ending === "reset" && this.current === EngineState.Failed) this.connection.reset(error);
      return;
    }
    const wasHandshaking = this.current === EngineState.Handshaking;
    const failure: Failure = { initiator, reason, error };
    this.failure = failure;
    this.setState(LIVE_STATES, EngineState.Failed);
    this.stopTimers();
    // Once the peer has failed, `ready` has always settled.
    if (wasHandshaking) {
      this.settleReady.reject(
        error ?? new UnavailableError("the peer was destroyed before it was ready"),
      );
    }
    this.outbound.failAll(
      () => waitingCallError(error),
      (call) => inFlightCallError(call, failure),
    );
    this.inbound.abortAll(error ?? new ConnectionLostError("the peer was destroyed"));
    this.timers.clear();
    if (ending === "end") {
      this.outbox.flush();
      this.outbox.close();
      this.connection.end();
      // The remote should end too; if it never does, do not wait forever.
      this.closeTimer = setTimeout(() => this.connection.reset(error), this.o.closeTimeoutMs);
      this.closeTimer.unref();
    } else {
      this.outbox.close();
      if (ending === "reset") this.connection.reset(error);
    }
  }

  private stopTimers(): void {
    this.hello.stop();
    clearTimer(this.closeTimer);
    this.heartbeat.stop();
    // The deadline timer stays armed after its last entry leaves (see DeadlineTimer.remove): a
    // closed peer must not keep it, and itself, alive until the last call's deadline.
    this.timers.clear();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private write(frame: Frame): void {
    const state = this.current;
    if (state === EngineState.Finishing || state === EngineState.Failed) return;
    if (state === EngineState.Closed) return;
    this.outbox.push(frame);
  }

  /** The peer has ended (failed, or closed). A method, so TS does not narrow `current` across calls. */
  private isClosed(): boolean {
    return this.current === EngineState.Failed || this.current === EngineState.Closed;
  }

  private warn(message: string, error?: unknown): void {
    this.o.logger?.warn(`[parley ${this.o.side} ${this.connection.remoteAddress}] ${message}`, {
      error,
    });
  }
}

/** States a failure can end. */
const LIVE_STATES: readonly EngineState[] = [
  EngineState.Handshaking,
  EngineState.Open,
  EngineState.Closing,
  EngineState.Finishing,
];

/** A promise with its resolve and reject at hand. */
interface Settlers<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function settlers<T>(): Settlers<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function clearTimer(timer: ReturnType<typeof setTimeout> | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}

function noop(): void {}
