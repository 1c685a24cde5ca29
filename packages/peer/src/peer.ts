/**
 * The engine: one peer per connection. It wires the parts together, drives the Hello and Bye
 * handshakes, and owns the single path by which a peer ends ({@link PeerEngine.fail} or the
 * graceful finish), so every call and handler is settled exactly once, whatever happens.
 *
 * The parts: MessageRouter (where each inbound message goes), OutboundCalls (calls we make),
 * InboundCalls (calls we serve), Outbox (batched writes and backpressure), DeadlineTimer (every
 * deadline on one timer), Heartbeat, HelloExchange, ByeHandshake.
 */

import type { Connection } from "@parley/framing";
import { ByeHandshake } from "./bye-handshake.js";
import { CallGate } from "./call-gate.js";
import { createNameProxy } from "./call-proxy.js";
import { DeadlineTimer } from "./deadline-timer.js";
import { ConnectionLostError, PeerError, UnavailableError, UnimplementedError } from "./errors.js";
import { Heartbeat } from "./heartbeat.js";
import { HelloExchange } from "./hello-exchange.js";
import { encodeHello, toRemoteHello } from "./hello-handshake.js";
import { InboundCalls } from "./inbound-calls.js";
import { MessageRouter } from "./message-router.js";
import { OutboundCalls } from "./outbound-calls.js";
import { Outbox } from "./outbox.js";
import { createCounters, type PeerCounters } from "./peer-counters.js";
import {
  closeInfo,
  closeTimeoutError,
  connectionClosedError,
  endedWithoutByeError,
  type Failure,
  handshakeTimeoutError,
  inFlightCallError,
  slowConsumerError,
  unresponsiveError,
  waitingCallError,
} from "./peer-ending.js";
import { type PeerOptions, type ResolvedPeerOptions, resolvePeerOptions } from "./peer-options.js";
import { PeerState, transition } from "./peer-state.js";
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
import { Kind, MAX_HELLO_BYTES, PROTOCOL_MAJOR, PROTOCOL_MINOR } from "./wire-constants.js";
import { createBinaryWireFormat, type WireFormat } from "./wire-format.js";
import type { HelloMessage, Message } from "./wire-messages.js";

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
  encodeHello(o, createBinaryWireFormat(o.codec, { maxFrameBytes: o.maxFrameBytes }));
}

/** How `fail` leaves the connection: reset it, end it (FIN, to deliver a refusal), or leave it. */
type Ending = "reset" | "end" | "none";

class PeerEngine<S extends ContractLike | undefined, C extends ContractLike | undefined>
  implements Peer<S, C>
{
  readonly ready: Promise<HelloInfo>;
  readonly closed: Promise<CloseInfo>;
  readonly call: CallerOf<C>;
  readonly emit: SignalSendersOf<C>;
  readonly stats: PeerStats;
  private current: PeerState = PeerState.Handshaking;
  private readonly o: ResolvedPeerOptions;
  private readonly wire: WireFormat;
  private readonly counters: PeerCounters;
  private readonly timers = new DeadlineTimer();
  private readonly outbox: Outbox;
  private readonly outbound: OutboundCalls;
  private readonly inbound: InboundCalls<CallerOf<C>>;
  private readonly heartbeat: Heartbeat;
  private readonly bye: ByeHandshake;
  private readonly hello: HelloExchange;
  private readonly gate: CallGate<CallerOf<C>>;
  private readonly router: MessageRouter;
  private readySettled = false;
  private closeInitiator: CloseInitiator = "local";
  private closePromise: Promise<void> | undefined;
  private failure: Failure | undefined;
  private connectionClosed = false;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private resolveReady!: (info: HelloInfo) => void;
  private rejectReady!: (error: Error) => void;
  private resolveClosed!: (info: CloseInfo) => void;
  private readonly onMessageBound = (m: Message): void => this.onMessage(m);

  constructor(
    private readonly connection: Connection,
    options: PeerOptions<S, C>,
  ) {
    this.o = resolvePeerOptions(options as PeerOptions<ContractLike, ContractLike>);
    this.wire = createBinaryWireFormat(this.o.codec, { maxFrameBytes: this.o.maxFrameBytes });
    const helloFrame = encodeHello(this.o, this.wire);
    this.counters = createCounters();
    this.outbox = new Outbox(
      connection,
      this.o.maxBufferedBytes,
      this.o.slowConsumerTimeoutMs,
      {
        onWritable: () => this.outbound.admit(),
        onSlowConsumer: () => this.onSlowConsumer(),
      },
      this.counters,
    );
    this.outbound = new OutboundCalls(
      {
        canWrite: () => this.current === PeerState.Open && !this.outbox.blocked,
        write: (frame) => this.write(frame),
        maxInFlight: () =>
          Math.min(
            this.o.maxPendingCalls,
            Math.max(1, this.hello.remote?.maxConcurrentRequests ?? 1),
          ),
        remoteMaxFrameBytes: () => this.remoteMaxFrameBytes(),
        warn: (message) => this.warn(message),
      },
      this.wire,
      this.timers,
      this.o.calls,
      this.counters,
    );
    this.inbound = new InboundCalls<CallerOf<C>>(
      {
        write: (frame) => this.write(frame),
        remoteMaxFrameBytes: () => this.remoteMaxFrameBytes(),
        onIdle: () => this.bye.maybeAck(),
        warn: (message, error) => this.warn(message, error),
        scopedCaller: (deadline, signal) => this.gate.scoped(deadline, signal),
      },
      this.wire,
      this.timers,
      this.o,
      this.counters,
    );
    this.heartbeat = new Heartbeat(this.o.heartbeatIntervalMs, this.o.heartbeatTimeoutMs, {
      sendPing: (nonce) => this.write(this.wire.encode({ kind: Kind.Ping, id: nonce })),
      onUnresponsive: () => this.onUnresponsive(),
    });
    this.hello = new HelloExchange(this.o, {
      remoteAddress: connection.remoteAddress,
      accept: () => this.write(this.wire.encode({ kind: Kind.HelloAck, accepted: true })),
      refuse: (error, message) => this.refuse(error, message),
      refused: (error) => this.fail(error, "remote", "error", "end"),
      ready: (hello) => this.onReady(hello),
      pause: () => connection.pause(),
      resume: () => connection.resume(),
      replay: (messages) => this.replay(messages),
      isClosed: () => this.isClosed(),
      warn: (message, error) => this.warn(message, error),
    });
    this.bye = new ByeHandshake({
      writeBye: () =>
        this.write(
          this.wire.encode({ kind: Kind.Bye, lastAcceptedId: this.router.lastAcceptedId }),
        ),
      writeByeAck: () => this.write(this.wire.encode({ kind: Kind.ByeAck })),
      handlersIdle: () => this.inbound.idle,
      finish: () => this.finishGracefully(),
    });
    const { hello, bye, inbound, outbound, heartbeat, counters, wire } = this;
    this.router = new MessageRouter(
      { hello, bye, inbound, outbound, heartbeat, counters, wire },
      {
        write: (frame) => this.write(frame),
        refuse: (error, message) => this.refuse(error, message),
        onRemoteBye: (lastAcceptedId) => this.onRemoteBye(lastAcceptedId),
      },
    );
    this.stats = this.counters.withGauges({
      callsInFlight: () => this.outbound.inFlightCount,
      callsWaiting: () => this.outbound.waitingCount,
      handlersRunning: () => this.inbound.running,
      handlersQueued: () => this.inbound.queued,
      pingsSent: () => this.heartbeat.pingsSent,
      callsCompleted: () => this.outbound.counts.completed,
      callsRejected: () => this.outbound.counts.rejected,
      callsAbandoned: () => this.outbound.counts.abandoned,
    });
    this.gate = new CallGate<CallerOf<C>>(this.o, this.outbound, () => this.refusal());
    this.call = createNameProxy(
      (m, input, opts) => this.gate.call(m, input, opts as CallOptions | undefined),
      this.o.calls?.requestNames,
    ) as CallerOf<C>;
    this.emit = createNameProxy(
      (name, payload) => this.gate.signal(name, payload, undefined),
      this.o.calls?.signalNames,
    ) as unknown as SignalSendersOf<C>;
    this.ready = new Promise<HelloInfo>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(noop); // the failure also reaches `closed` and every pending call
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.handshakeTimer = setTimeout(() => this.onHandshakeTimeout(), this.o.handshakeTimeoutMs);
    this.handshakeTimer.unref();
    connection.attach({
      onData: (chunk) => this.onData(chunk),
      onEnd: () => this.onEnd(),
      onDrain: () => this.outbox.onDrain(),
      onClose: (error) => this.onConnectionClose(error),
    });
    this.write(helloFrame);
  }

  get state(): PeerState {
    return this.current;
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
    if (this.current === PeerState.Handshaking) this.abandonHandshake();
    else if (this.current === PeerState.Open) this.beginClosing("local");
    return this.closePromise;
  }

  destroy(error?: Error): void {
    this.fail(error, "local", "abort", "reset");
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- calls ----------------------------------------------------------------------------------

  /** Why a new call or signal is refused now, or undefined. */
  private refusal(): Error | undefined {
    if (this.current === PeerState.Open) return this.notServed();
    if (this.current === PeerState.Handshaking) return undefined;
    const error = this.failure?.error;
    if (error instanceof PeerError && error.notExecuted) return error;
    return new UnavailableError(
      this.current === PeerState.Closing
        ? "the peer is closing; make new calls on a new connection"
        : "the peer is closed; make new calls on a new connection",
    );
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
    if (this.current === PeerState.Closed) return;
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
    if (this.current === PeerState.Closed) return;
    this.counters.framesReceived++;
    this.heartbeat.activity();
    if (!this.hello.hold(m)) this.router.dispatch(m);
  }

  // ---- Hello ------------------------------------------------------------------------------------

  /** Answers HelloAck refuse (`message` is what the remote reads), then ends the connection. */
  private refuse(error: PeerError, message: string): void {
    this.write(
      this.wire.encode({ kind: Kind.HelloAck, accepted: false, code: error.code, message }),
    );
    this.fail(error, "local", "error", "end");
  }

  private replay(messages: readonly Message[]): void {
    try {
      for (const m of messages) if (!this.isClosed()) this.router.dispatch(m);
    } catch (error) {
      this.fail(asError(error), "local", "error", "reset");
    }
  }

  private onReady(hello: HelloMessage): void {
    if (this.readySettled) return;
    this.readySettled = true;
    clearTimer(this.handshakeTimer);
    if (this.current === PeerState.Handshaking)
      this.current = transition(this.current, PeerState.Open);
    this.heartbeat.start();
    const remote = toRemoteHello(hello, this.connection.remoteAddress);
    const minor = Math.min(PROTOCOL_MINOR, remote.protocolVersion.minor);
    this.resolveReady({ remote, protocolVersion: { major: PROTOCOL_MAJOR, minor } });
    this.outbound.admit();
  }

  /**
   * close() before ready. No Bye: the remote, not ready either, would take it as a protocol error.
   * A remote this side has not answered yet is refused UNAVAILABLE (retry elsewhere), as a server
   * shutting down refuses; one already accepted sees the FIN. Nothing was sent, so nothing is lost.
   */
  private abandonHandshake(): void {
    const error = new UnavailableError(
      "close() was called during the handshake; the peer never became ready",
    );
    if (!this.hello.accepted) {
      const message = "the remote closed during the handshake; retry on a new connection";
      this.write(
        this.wire.encode({ kind: Kind.HelloAck, accepted: false, code: error.code, message }),
      );
    }
    this.fail(error, "local", "abort", "end");
  }

  // ---- Bye --------------------------------------------------------------------------------------

  private beginClosing(initiator: CloseInitiator): void {
    this.current = transition(this.current, PeerState.Closing);
    this.closeInitiator = initiator;
    this.closeTimer = setTimeout(() => this.onCloseTimeout(), this.o.closeTimeoutMs);
    this.closeTimer.unref();
    this.outbound.rejectWaiting(
      () => new UnavailableError("the peer is closing; the call was never sent"),
    );
    this.bye.sendBye();
    this.bye.maybeAck();
  }

  private onRemoteBye(lastAcceptedId: number): void {
    this.bye.onBye();
    this.outbound.onRemoteBye(lastAcceptedId);
    if (this.current === PeerState.Open) {
      this.beginClosing("remote");
    } else {
      this.bye.maybeAck();
    }
  }

  /** ByeAck went both ways: every Response to our calls has arrived. End with a FIN. */
  private finishGracefully(): void {
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

  private onHandshakeTimeout(): void {
    const error = handshakeTimeoutError(this.o.handshakeTimeoutMs, this.connection.remoteAddress);
    this.fail(error, "local", "timeout", "reset");
  }

  private onUnresponsive(): void {
    const error = unresponsiveError(this.o.heartbeatTimeoutMs, this.connection.remoteAddress);
    this.fail(error, "local", "error", "reset");
  }

  private onSlowConsumer(): void {
    const error = slowConsumerError(this.o.slowConsumerTimeoutMs, this.connection.remoteAddress);
    this.fail(error, "local", "error", "reset");
  }

  private onEnd(): void {
    if (this.current === PeerState.Closed || this.bye.finished) return;
    const handshaking = this.current === PeerState.Handshaking;
    const error = endedWithoutByeError(this.connection.remoteAddress, handshaking);
    this.fail(error, "remote", "abort", "end");
  }

  private onConnectionClose(error: Error | undefined): void {
    this.connectionClosed = true;
    if (this.current !== PeerState.Closed) {
      if (this.bye.finished && this.failure === undefined) {
        this.current = transition(this.current, PeerState.Closed);
        this.stopTimers();
        // Bye is refused before the handshake completes, so `ready` has settled; keep it certain.
        this.settleReady(new ConnectionLostError("the connection closed during the handshake"));
      } else {
        const handshaking = this.current === PeerState.Handshaking;
        const lost = connectionClosedError(this.connection.remoteAddress, error, handshaking);
        this.fail(lost, "remote", error ? "error" : "abort", "none");
      }
    }
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
    if (this.current === PeerState.Closed) {
      if (ending === "reset" && !this.connectionClosed) this.connection.reset(error);
      return;
    }
    const failure: Failure = { initiator, reason, error };
    this.failure = failure;
    this.current = transition(this.current, PeerState.Closed);
    this.stopTimers();
    this.settleReady(error ?? new UnavailableError("the peer was destroyed before it was ready"));
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

  /** Rejects `ready` if it has not settled: once the peer is closed, `ready` has always settled. */
  private settleReady(error: Error): void {
    if (this.readySettled) return;
    this.readySettled = true;
    this.rejectReady(error);
  }

  private stopTimers(): void {
    clearTimer(this.handshakeTimer);
    clearTimer(this.closeTimer);
    this.heartbeat.stop();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private write(frame: Frame): void {
    if (this.current === PeerState.Closed || this.bye.finished) return;
    this.outbox.push(frame);
  }

  /** A method, not a comparison, so TS does not narrow `current` across calls that change it. */
  private isClosed(): boolean {
    return this.current === PeerState.Closed;
  }

  private remoteMaxFrameBytes(): number {
    return this.hello.remote?.maxFrameBytes ?? MAX_HELLO_BYTES;
  }

  private warn(message: string, error?: unknown): void {
    this.o.logger?.warn(`[parley ${this.o.side} ${this.connection.remoteAddress}] ${message}`, {
      error,
    });
  }
}

function clearTimer(timer: ReturnType<typeof setTimeout> | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function noop(): void {}
