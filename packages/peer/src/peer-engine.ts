/**
 * The engine: one peer per connection. It builds its parts (peer-parts.ts, in dependency order),
 * connects them to the connection, and owns the single path by which a peer ends
 * ({@link PeerEngine.fail} or the graceful finish), so every call and handler is settled exactly
 * once, whatever happens. What a part reports to the engine reaches it through its hooks, only
 * once `start()` has connected the peer, when every part exists. The engine's state changes only
 * through {@link PeerEngine.setState}.
 */
import type { Connection } from "@parley/framing";
import type { CallGate } from "./call-gate.js";
import { asError, ConnectionLostError, PeerError, UnavailableError } from "./errors.js";
import type { Heartbeat } from "./heartbeat.js";
import type { MessageRouter } from "./message-router.js";
import type { OutboundCalls } from "./outbound-calls.js";
import type { Outbox } from "./outbox.js";
import { createCounters, type PeerCounters } from "./peer-counters.js";
import {
  closeInfo,
  closeTimeoutError,
  connectionClosedError,
  type Ending,
  endedWithoutByeError,
  type Failure,
  inFlightCallError,
  notServedError,
  releaseConnection,
  settlers,
  slowConsumerError,
  unresponsiveError,
  waitingCallError,
} from "./peer-ending.js";
import { type PeerOptions, type ResolvedPeerOptions, resolvePeerOptions } from "./peer-options.js";
import { assembleParts, type EngineHooks, type PeerParts, peerStats } from "./peer-parts.js";
import {
  EngineState,
  engineTransition,
  LIVE_STATES,
  PeerState,
  PUBLIC_STATE,
} from "./peer-state.js";
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
import { DeadlineTimer } from "./pending-call.js";
import type { Frame } from "./split-frame.js";
import type { WireFormat } from "./wire-format.js";
import type { Message } from "./wire-messages.js";

/** The engine behind {@link createPeer}. */
export class PeerEngine<S extends ContractLike | undefined, C extends ContractLike | undefined>
  implements Peer<S, C>
{
  readonly ready: Promise<HelloInfo>;
  readonly closed: Promise<CloseInfo>;
  readonly call: CallerOf<C>;
  readonly stream: Peer<S, C>["stream"];
  readonly emit: SignalSendersOf<C>;
  readonly stats: PeerStats;
  private current: EngineState = EngineState.Handshaking;
  private readonly o: ResolvedPeerOptions;
  private readonly wire: WireFormat;
  private readonly counters: PeerCounters = createCounters();
  private readonly timers = new DeadlineTimer();
  private readonly outbox: Outbox;
  /** Every part; the ones on the hot path also have a field of their own. */
  private readonly parts: PeerParts<CallerOf<C>>;
  private readonly heartbeat: Heartbeat;
  private readonly outbound: OutboundCalls;
  private readonly gate: CallGate<CallerOf<C>>;
  private readonly router: MessageRouter;
  private closeInitiator: CloseInitiator = "local";
  private closePromise: Promise<void> | undefined;
  /** close() came after this side accepted the remote's Hello: Bye once ready. */
  private closeWhenReady = false;
  private failure: Failure | undefined;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly settleReady = settlers<HelloInfo>();
  private readonly settleClosed = settlers<CloseInfo>();
  private readonly onMessageBound = (m: Message, bytes: number): void => this.onMessage(m, bytes);

  constructor(
    private readonly connection: Connection,
    options: PeerOptions<S, C>,
  ) {
    const o = resolvePeerOptions(options as PeerOptions<ContractLike, ContractLike>);
    this.o = o;
    const helloDigests = o.authSecrets !== undefined; // only a proof of secrets reads them
    this.wire = o.wireFormat(o.codec, { maxFrameBytes: o.maxFrameBytes, helloDigests });
    const { counters, timers, wire } = this;
    const base = { connection, o, wire, counters, timers };
    const parts = assembleParts<CallerOf<C>>(base, this.hooks());
    this.parts = parts;
    ({ outbox: this.outbox, heartbeat: this.heartbeat, outbound: this.outbound } = parts);
    ({ gate: this.gate, router: this.router } = parts);
    this.stats = peerStats(counters, parts as PeerParts<unknown>);
    ({ call: this.call, emit: this.emit, stream: this.stream } = parts.gate.proxies<C>());
    this.ready = this.settleReady.promise;
    this.ready.catch(noop); // the failure also reaches `closed` and every pending call
    this.closed = this.settleClosed.promise;
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
    if (this.current === EngineState.Open) this.beginClosing("local");
    // Once this side accepted the remote's Hello, the remote may be ready and calling: Bye as soon
    // as this side is ready too, so what it sent is answered or refused, never lost.
    else if (this.current === EngineState.Handshaking)
      this.closeWhenReady ||= this.parts.hello.close();
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
      readTarget: (minBytes, next) => this.wire.readTarget?.(minBytes, next),
    });
    this.parts.hello.start();
  }

  /** What the parts report to this engine (see peer-parts.ts). */
  private hooks(): EngineHooks {
    const { o, connection } = this;
    const remote = connection.remoteAddress;
    return {
      write: (frame, call) => this.write(frame, call),
      warn: (message, error, signal) => this.warn(message, error, signal),
      fail: (error, initiator, reason, ending) => this.fail(error, initiator, reason, ending),
      ready: (info) => this.onReady(info),
      replay: (messages) => this.replay(messages),
      isClosed: () => this.isClosed(),
      isOpen: () => this.current === EngineState.Open,
      isClosing: () => this.current === EngineState.Closing,
      refusal: () => this.refusal(),
      writable: () => this.outbound.admit(),
      slowConsumer: () => {
        const error = slowConsumerError(o.slowConsumerTimeoutMs, remote);
        this.fail(error, "local", "error", "reset");
      },
      unresponsive: () => {
        const error = unresponsiveError(o.heartbeatTimeoutMs, remote);
        this.fail(error, "local", "error", "reset");
      },
      remoteBye: (lastAcceptedId) => this.onRemoteBye(lastAcceptedId),
      byeFinished: () => this.finishGracefully(),
    };
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
    if (this.current === EngineState.Open) {
      return notServedError(this.o.calls, this.parts.hello.remote?.serves);
    }
    if (this.current === EngineState.Handshaking) return undefined;
    const error = this.failure?.error;
    if (error instanceof PeerError && error.notExecuted) return error;
    return new UnavailableError(
      this.state === PeerState.Closing
        ? "the peer is closing; make new calls on a new connection"
        : "the peer is closed; make new calls on a new connection",
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

  private onMessage(m: Message, bytes: number): void {
    if (this.isClosed()) return;
    this.counters.framesReceived++;
    this.heartbeat.activity();
    this.router.dispatch(m, bytes);
  }

  /** Routes the messages the Hello handshake held while verifying the remote's token. */
  private replay(messages: readonly Message[]): void {
    try {
      for (const m of messages) if (!this.isClosed()) this.router.dispatch(m, 0);
    } catch (error) {
      this.fail(asError(error), "local", "error", "reset");
    }
  }

  private onReady(info: HelloInfo): void {
    this.setState(EngineState.Handshaking, EngineState.Open);
    this.heartbeat.start();
    this.settleReady.resolve(info);
    this.outbound.refuseGaps(this.parts.hello.gaps);
    this.outbound.admit();
    if (this.closeWhenReady) this.beginClosing("local");
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
    this.parts.bye.sendBye();
    this.parts.bye.maybeAck(this.parts.inbound.idle);
  }

  private onRemoteBye(lastAcceptedId: number): void {
    this.parts.bye.onBye();
    this.outbound.onRemoteBye(lastAcceptedId);
    if (this.current === EngineState.Open) {
      this.beginClosing("remote");
    } else {
      this.parts.bye.maybeAck(this.parts.inbound.idle);
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
    const handlers = this.parts.inbound.running + this.parts.inbound.queued;
    const error = closeTimeoutError(this.o.closeTimeoutMs, this.outbound.inFlightCount, handlers);
    this.fail(error, this.closeInitiator, "timeout", "reset");
  }

  // ---- failures and the end ---------------------------------------------------------------------

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
    this.settleClosed.resolve(closeInfo(this.failure, this.closeInitiator, this.outbound.counts));
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
    this.parts.inbound.abortAll(error ?? new ConnectionLostError("the peer was destroyed"));
    this.timers.clear();
    const { outbox, connection } = this;
    this.closeTimer = releaseConnection(ending, outbox, connection, this.o.closeTimeoutMs, error);
  }

  private stopTimers(): void {
    this.parts.hello.stop();
    clearTimer(this.closeTimer);
    this.heartbeat.stop();
    // The deadline timer stays armed after its last entry leaves (see DeadlineTimer.remove): a
    // closed peer must not keep it, and itself, alive until the last call's deadline.
    this.timers.clear();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private write(frame: Frame, call?: boolean): void {
    const state = this.current;
    // Open first: nearly every frame is written there.
    if (state === EngineState.Open || state === EngineState.Closing) this.outbox.push(frame, call);
    else if (state === EngineState.Handshaking) this.outbox.push(frame, call);
  }

  /** The peer has ended (failed, or closed). A method, so TS does not narrow `current` across calls. */
  private isClosed(): boolean {
    return this.current === EngineState.Failed || this.current === EngineState.Closed;
  }

  private warn(message: string, error?: unknown, signal?: string): void {
    const where = `[parley ${this.o.side} ${this.connection.remoteAddress}]`;
    const details = signal === undefined ? { error } : { error, signal };
    this.o.logger?.warn(`${where} ${message}`, details);
  }
}

function clearTimer(timer: ReturnType<typeof setTimeout> | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}

function noop(): void {}
