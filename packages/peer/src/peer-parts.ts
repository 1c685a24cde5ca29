/**
 * The parts of one peer, built in dependency order: each part gets only parts built before it, so
 * no reader has to check that a callback runs after the field it reads is assigned. What a part
 * must tell the engine itself (a failure, readiness, the end of the Bye) goes through
 * {@link EngineHooks}, which the engine serves once every part exists.
 *
 * ```
 *   Outbox ─> StreamSession ─> HelloHandshake ─> Heartbeat ─> ByeHandshake ─> OutboundCalls ─> CallGate
 *                                                                  └──────> InboundCalls ─> MessageRouter
 * ```
 */
import type { Connection } from "@parley/framing";
import { EXPORTER_BYTES, EXPORTER_LABEL } from "./auth-proof.js";
import { ByeHandshake } from "./bye-handshake.js";
import { CallGate } from "./call-gate.js";
import type { PeerError } from "./errors.js";
import { FrameSlabs } from "./frame-slabs.js";
import { Heartbeat } from "./heartbeat.js";
import { HelloHandshake } from "./hello-handshake.js";
import { InboundCalls } from "./inbound-calls.js";
import { MessageRouter } from "./message-router.js";
import { OutboundCalls } from "./outbound-calls.js";
import { Outbox } from "./outbox.js";
import type { PeerCounters } from "./peer-counters.js";
import type { Ending } from "./peer-ending.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import type { CloseInitiator, CloseReason, HelloInfo, PeerStats } from "./peer-types.js";
import type { DeadlineTimer } from "./pending-call.js";
import type { Frame } from "./split-frame.js";
import { StreamSession } from "./stream-session.js";
import type { WireFormat } from "./wire-format.js";
import type { Message } from "./wire-messages.js";

/**
 * What the parts report to the engine. Called only once the engine has started, and unbound (the
 * engine gives arrow functions), so parts may keep a member and call it directly.
 */
export interface EngineHooks {
  /** Queues a frame, unless the peer has stopped writing; `call`: a Request or Signal. */
  write(frame: Frame, call?: boolean): void;
  warn(message: string, error?: unknown, signal?: string): void;
  /** The one way a peer ends other than the graceful finish. */
  fail(error: PeerError, initiator: CloseInitiator, reason: CloseReason, ending: Ending): void;
  /** The peer is open: Hello went both ways. */
  ready(info: HelloInfo): void;
  /** Routes the messages held while the remote's token was verified. */
  replay(messages: readonly Message[]): void;
  /** The peer has ended. */
  isClosed(): boolean;
  /** The peer is open (calls may be written). */
  isOpen(): boolean;
  /** The peer is closing (its handlers going idle may complete the Bye). */
  isClosing(): boolean;
  /** Why a new call or signal is refused now, or undefined. */
  refusal(): Error | undefined;
  /** The outbox may take more: waiting calls may go. */
  writable(): void;
  slowConsumer(): void;
  unresponsive(): void;
  /** The remote's Bye arrived. */
  remoteBye(lastAcceptedId: number): void;
  /** ByeAck went both ways. */
  byeFinished(): void;
}

/** Times `maxBufferedBytes` a remote may leave unread before no new handler starts. */
export const UNREAD_LIMIT_FACTOR = 32;

/** The parts of one peer. */
export interface PeerParts<Caller> {
  readonly outbox: Outbox;
  readonly streams: StreamSession;
  readonly hello: HelloHandshake;
  readonly heartbeat: Heartbeat;
  readonly bye: ByeHandshake;
  readonly outbound: OutboundCalls;
  readonly gate: CallGate<Caller>;
  readonly inbound: InboundCalls<Caller>;
  readonly router: MessageRouter;
}

/** What every part may share: settings, the wire format, counters, the deadline timer. */
export interface PartsBase {
  readonly connection: Connection;
  readonly o: ResolvedPeerOptions;
  readonly wire: WireFormat;
  readonly counters: PeerCounters;
  readonly timers: DeadlineTimer;
}

/** Frame memory starts over once the connection and the outbox hold none of its frames. */
function rewindIdle(memory: FrameSlabs | undefined, connection: Connection, outbox: Outbox): void {
  if (memory !== undefined && connection.bufferedBytes === 0 && outbox.pendingBytes === 0) {
    memory.rewind();
  }
}

/** Builds the parts of one peer, in dependency order. */
export function assembleParts<Caller>(base: PartsBase, hooks: EngineHooks): PeerParts<Caller> {
  const { connection, o, wire, counters } = base;
  const { write } = hooks;
  // Frames may reuse memory only where the connection copies writes out (a socket).
  const memory = connection.copiesWrites === true ? new FrameSlabs() : undefined;
  // Made last; the outbox's writable event reaches its inbound calls (held handlers may start).
  let parts: PeerParts<Caller> | undefined;
  const outbox = new Outbox(
    connection,
    o.maxBufferedBytes,
    o.slowConsumerTimeoutMs,
    {
      onFlushed: () => rewindIdle(memory, connection, outbox),
      onWritable: () => {
        // First: the calls and items that go on now are encoded into the memory rewound.
        rewindIdle(memory, connection, outbox);
        hooks.writable();
        streams.onWritable();
        parts?.inbound.onWritable();
      },
      onSlowConsumer: () => hooks.slowConsumer(),
    },
    counters,
    o.flushScheduler,
  );
  const streams = new StreamSession(o, wire, write, counters, () => outbox.blocked, memory?.alloc);
  const hello = new HelloHandshake(
    o,
    wire,
    connection.remoteAddress,
    {
      write,
      warn: hooks.warn,
      fail: (error, initiator, reason, ending) => hooks.fail(error, initiator, reason, ending),
      ready: (info) => {
        streams.onReady(hello.remote);
        hooks.ready(info);
      },
      pause: () => connection.pause(),
      resume: () => connection.resume(),
      replay: (messages) => hooks.replay(messages),
      isClosed: () => hooks.isClosed(),
    },
    sessionExporter(connection, o),
  );
  const heartbeat = new Heartbeat(o.heartbeatIntervalMs, o.heartbeatTimeoutMs, wire, {
    write,
    onUnresponsive: () => hooks.unresponsive(),
  });
  const bye = new ByeHandshake(wire, {
    write,
    finish: () => hooks.byeFinished(),
    onByeSent: () => streams.drain(),
  });
  parts = assembleCallParts(base, hooks, { outbox, streams, hello, heartbeat, bye });
  return parts;
}

/**
 * The TLS session's keying material the proofs are bound to, when this side proves a secret over
 * a channel that has one and binding is on (docs/protocol.md §5).
 */
function sessionExporter(connection: Connection, o: ResolvedPeerOptions): Uint8Array | undefined {
  if (o.authSecrets === undefined || !o.authChannelBinding) return undefined;
  return connection.exportKeyingMaterial?.(EXPORTER_BYTES, EXPORTER_LABEL);
}

/** The parts that carry calls, built on the connection's parts. */
function assembleCallParts<Caller>(
  base: PartsBase,
  hooks: EngineHooks,
  built: Pick<PeerParts<Caller>, "outbox" | "streams" | "hello" | "heartbeat" | "bye">,
): PeerParts<Caller> {
  const { connection, o, wire, counters, timers } = base;
  const { outbox, streams, hello, heartbeat, bye } = built;
  const { write, warn, isOpen } = hooks;
  const outbound = new OutboundCalls(
    {
      canWrite: () => isOpen() && !outbox.blocked,
      write,
      warn,
      maxInFlight: () =>
        Math.min(o.maxPendingCalls, Math.max(1, hello.remote?.maxConcurrentRequests ?? 1)),
      // The connection's frame memory, held by the stream session for calls and items alike.
      frameMemory: streams.frameMemory,
    },
    wire,
    timers,
    o.calls,
    counters,
  );
  const gate = new CallGate<Caller>(o, outbound, hooks.refusal, streams);
  const inbound = new InboundCalls<Caller>(
    {
      write,
      warn,
      // Only a closing peer waits for its handlers (to send ByeAck).
      onIdle: () => {
        if (hooks.isClosing()) bye.maybeAck(true);
      },
      scopedCaller: (deadline, signal) => gate.scoped(deadline, signal),
      streams,
      get draining() {
        return streams.draining;
      },
      // Far above what a reading remote leaves (256 answers of 64 KiB in flight are 16 MiB): the
      // gate costs a queued handler each while it holds.
      backlogged: () =>
        outbox.blocked &&
        connection.bufferedBytes + outbox.pendingBytes > UNREAD_LIMIT_FACTOR * o.maxBufferedBytes,
      now: () => outbox.batchNow(),
    },
    wire,
    timers,
    o,
    counters,
  );
  const router = new MessageRouter({
    ...{ hello, bye, inbound, outbound, heartbeat, counters, streams },
    onRemoteBye: (lastAcceptedId) => hooks.remoteBye(lastAcceptedId),
  });
  return { ...built, outbound, gate, inbound, router };
}

/** The peer's live stats: its counters plus gauges read from its parts. */
export function peerStats(counters: PeerCounters, parts: PeerParts<unknown>): PeerStats {
  const { outbound, inbound, heartbeat, streams } = parts;
  return counters.withGauges({
    callsInFlight: () => outbound.inFlightCount,
    callsWaiting: () => outbound.waitingCount,
    handlersRunning: () => inbound.running,
    handlersQueued: () => inbound.queued,
    pingsSent: () => heartbeat.pingsSent,
    callsCompleted: () => outbound.counts.completed,
    callsRejected: () => outbound.counts.rejected,
    callsAbandoned: () => outbound.counts.abandoned,
    streamsOpen: () => streams.openCount,
  });
}
