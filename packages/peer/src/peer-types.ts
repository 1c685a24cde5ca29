/** The public shapes of a peer: what it returns, reports and accepts per call. */
import type {
  AnyContract,
  CallStream,
  ContractCaller,
  ContractSignalSenders,
  ContractStreamCaller,
  RequestInput,
  RequestName,
  RequestOutput,
  SignalInput,
  SignalName,
} from "@parley/codec";
import type { PeerState } from "./peer-state.js";
import type { ContractId, Metadata } from "./wire-messages.js";

/** Any contract made by `defineContract`: the codec's `AnyContract`, under the engine's name. */
export type ContractLike = AnyContract;

/** Per-call options of `request()` and of the typed `call` proxy. */
export interface CallOptions {
  /**
   * Deadline of this call in milliseconds, carried to the remote as a remaining budget. A call made
   * from a handler's `ctx.peer` never outlives the handler's own deadline.
   * @default the peer's requestTimeoutMs (30000)
   */
  timeoutMs?: number;
  /** Aborting it rejects the call at once with `CANCELLED` and sends Cancel to the remote. */
  signal?: AbortSignal;
  /** String pairs delivered to the handler as `ctx.metadata`. */
  metadata?: Metadata;
}

/** Options of `signal()`. */
export interface SignalOptions {
  /** String pairs delivered to the signal handler as `ctx.metadata`. */
  metadata?: Metadata;
}

/** What the remote said about itself in its Hello (its token is never exposed). */
export interface RemoteHello {
  /** Protocol version the remote speaks. */
  readonly protocolVersion: { readonly major: number; readonly minor: number };
  /** Body codec name (`msgpack`, `json`). */
  readonly codec: string;
  /** Contract the remote serves, if any. */
  readonly serves: ContractId | undefined;
  /** Contract the remote calls, if any. */
  readonly calls: ContractId | undefined;
  /** Largest frame payload the remote accepts. */
  readonly maxFrameBytes: number;
  /** Requests the remote accepts in flight (running + queued) before OVERLOADED. */
  readonly maxConcurrentRequests: number;
  /** The remote's heartbeat interval (0: off). */
  readonly heartbeatIntervalMs: number;
  /** The remote's heartbeat timeout. */
  readonly heartbeatTimeoutMs: number;
  /** Metadata the remote sent (empty object when none). */
  readonly metadata: Metadata;
  /** The connection's remote address. */
  readonly remoteAddress: string;
  /**
   * The id of the `authSecrets` entry the remote proved it holds (1.2), or whose token it sent
   * (`allowLegacyAuth`); undefined when it proved none or the entry has no id.
   */
  readonly authKeyId: string | undefined;
}

/** What `ready` resolves with. */
export interface HelloInfo {
  /** The remote's Hello. */
  readonly remote: RemoteHello;
  /** The protocol version in use: the common major and the smaller minor. */
  readonly protocolVersion: { readonly major: number; readonly minor: number };
}

/** Who ended the connection. */
export type CloseInitiator = "local" | "remote";
/**
 * How it ended: `graceful` (the Bye handshake completed), `abort` (destroy(), close() before ready,
 * or the remote went away without Bye), `error` (a failure: protocol, heartbeat, slow consumer, handshake refusal,
 * transport error), `timeout` (handshakeTimeoutMs or closeTimeoutMs ran out).
 */
export type CloseReason = "graceful" | "abort" | "error" | "timeout";

/** What `closed` resolves with. */
export interface CloseInfo {
  readonly initiator: CloseInitiator;
  readonly reason: CloseReason;
  /** The error behind a non-graceful close (a Parley error with a `code`), if any. */
  readonly error?: Error;
  /** Outcomes of the calls this peer made; each call is counted once. */
  readonly calls: {
    /** Answered by the remote (a value or a remote error). */
    readonly completed: number;
    /** Failed locally: deadline, cancelled, refused by Bye or by a closing peer, never sent... */
    readonly rejected: number;
    /** In flight when the connection ended: rejected with CONNECTION_LOST or ABANDONED. */
    readonly abandoned: number;
  };
}

/** Live counters of a peer (read at any time; they only grow, except the gauges). */
export interface PeerStats {
  readonly requestsSent: number;
  readonly responsesReceived: number;
  /** Responses whose id matched no call in flight (late after a Cancel or timeout, or bogus). */
  readonly unknownResponses: number;
  readonly requestsReceived: number;
  readonly responsesSent: number;
  /** Requests answered REJECTED (UNIMPLEMENTED, INVALID_ARGUMENT, OVERLOADED). */
  readonly requestsRejected: number;
  /** Requests that arrived after this side's Bye and were discarded. */
  readonly requestsDiscarded: number;
  readonly cancelsSent: number;
  readonly cancelsReceived: number;
  readonly signalsSent: number;
  readonly signalsReceived: number;
  /** Signals dropped on receipt: unknown, invalid, no handler, or the handler queue full. */
  readonly signalsDropped: number;
  /** Signal handlers that threw (request handlers' errors go to the caller). */
  readonly handlerErrors: number;
  readonly pingsSent: number;
  /** `connection.write()` calls: one per turn with output. */
  readonly writes: number;
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly framesReceived: number;
  readonly bytesReceived: number;
  /** Gauge: calls written and not answered. */
  readonly callsInFlight: number;
  /** Gauge: calls and signals queued locally (handshake, backpressure, pending limit). */
  readonly callsWaiting: number;
  /** Gauge: handlers running. */
  readonly handlersRunning: number;
  /** Gauge: handlers waiting for a slot. */
  readonly handlersQueued: number;
  /** Calls answered by the remote (as in {@link CloseInfo.calls}, but live). */
  readonly callsCompleted: number;
  /** Calls failed locally, including those refused at once (closing, invalid options). */
  readonly callsRejected: number;
  /** Calls in flight when the connection ended. */
  readonly callsAbandoned: number;
  /** Gauge: stream calls open, made and served. */
  readonly streamsOpen: number;
  /** Stream calls opened, made and served. */
  readonly streamsOpened: number;
  /** Stream items written (Response items and Data items). */
  readonly streamItemsSent: number;
  /** Stream items received. */
  readonly streamItemsReceived: number;
  /** Credit frames written (one per half window taken, never one per item). */
  readonly creditsSent: number;
  readonly creditsReceived: number;
  /** Items, Data and Credit that arrived for a call no longer in flight: dropped. */
  readonly lateStreamFrames: number;
  /** Gauge: bytes of stream items received and not yet read, over every stream still open. */
  readonly streamBytesBuffered: number;
}

/** Receives what the peer cannot report to a caller: dropped signals, late frames, failures. */
export interface PeerLogger {
  /**
   * `details.signal` names the signal when the warning is about one (dropped: unknown name, bad
   * payload, full queue; or its handler threw).
   */
  warn(message: string, details?: { error?: unknown; signal?: string }): void;
}

/** The untyped caller used when no `calls` contract is given. */
export type UntypedCaller = {
  readonly [method: string]: (input?: unknown, options?: CallOptions) => Promise<unknown>;
};

/** The typed call proxy for contract `C` (untyped without one). */
export type CallerOf<C> = C extends ContractLike ? ContractCaller<C, CallOptions> : UntypedCaller;

/** The untyped stream caller used when no `calls` contract is given. */
export type UntypedStreamCaller = {
  readonly [method: string]: (
    input?: unknown,
    options?: CallOptions & { inputs?: AsyncIterable<unknown> | Iterable<unknown> },
  ) => CallStream<unknown, unknown>;
};

/** The typed stream proxy for contract `C`: one function per method that yields. */
export type StreamCallerOf<C> = C extends ContractLike
  ? ContractStreamCaller<C, CallOptions>
  : UntypedStreamCaller;

/** Method names accepted by `request()`. */
export type MethodOf<C> = C extends ContractLike ? RequestName<C> : string;
/** Input type of `request(method)`. */
export type InputOf<C, M> = C extends ContractLike
  ? M extends RequestName<C>
    ? RequestInput<C, M>
    : never
  : unknown;
/** Output type of `request(method)`. */
export type OutputOf<C, M> = C extends ContractLike
  ? M extends RequestName<C>
    ? RequestOutput<C, M>
    : never
  : unknown;
/** Signal names accepted by `signal()`. */
export type SignalNameOf<C> = C extends ContractLike ? SignalName<C> : string;
/** Payload type of `signal(name)`. */
export type SignalInputOf<C, S> = C extends ContractLike
  ? S extends SignalName<C>
    ? SignalInput<C, S>
    : never
  : unknown;
/** Typed signal senders (`peer.emit.log({...})`). */
export type SignalSendersOf<C> = C extends ContractLike
  ? ContractSignalSenders<C, Promise<void>>
  : { readonly [name: string]: (payload?: unknown) => Promise<void> };

/** One side of a Parley connection: serves `S`, calls `C`. */
export interface Peer<
  S extends ContractLike | undefined = undefined,
  C extends ContractLike | undefined = undefined,
> {
  /**
   * Resolves when Hello is done both ways; rejects with the handshake error. Always settled once
   * the peer is closed: an ending during the handshake rejects it with the ending's error.
   */
  readonly ready: Promise<HelloInfo>;
  /** Lifecycle state: handshaking, open, closing, closed. */
  readonly state: PeerState;
  /** `client` or `server`, as given (informational: the protocol is symmetric). */
  readonly side: "client" | "server";
  /** The contract served, if any. */
  readonly serves: S;
  /** The contract called, if any. */
  readonly calls: C;
  /**
   * Calls `method` on the remote. Waits (within its deadline) for the handshake, backpressure and
   * the pending-call limit.
   * @throws (rejects) DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE, CONNECTION_LOST, ABANDONED,
   *   OVERLOADED, UNIMPLEMENTED, MESSAGE_TOO_LARGE, INVALID_RESPONSE, or the remote's error code.
   */
  request<M extends MethodOf<C>>(
    method: M,
    input: InputOf<C, M>,
    options?: CallOptions,
  ): Promise<OutputOf<C, M>>;
  /**
   * Typed proxy: `peer.call.add({ a, b })` is `peer.request("add", { a, b })`. A method that
   * accepts items (a client stream) takes them in `options.inputs` and resolves with its output.
   */
  readonly call: CallerOf<C>;
  /**
   * Typed proxy for the methods that yield items: `peer.stream.tail(input, options)` returns the
   * items as an async iterable (breaking out of the loop cancels the call) with the final output
   * in `result`. A bidirectional method takes the caller's items in `options.inputs`.
   * @throws (the loop and `result` reject) as `request()`, plus UNIMPLEMENTED when the remote does
   *   not do streams (nothing is sent).
   */
  readonly stream: StreamCallerOf<C>;
  /**
   * Sends a one-way signal; resolves once it is queued for writing under the high-water mark.
   * @throws (rejects) UNAVAILABLE when closing or closed, MESSAGE_TOO_LARGE, INVALID_SIGNAL.
   */
  signal<N extends SignalNameOf<C>>(
    name: N,
    payload: SignalInputOf<C, N>,
    options?: SignalOptions,
  ): Promise<void>;
  /** Typed signal senders: `peer.emit.log({ level, text })`. */
  readonly emit: SignalSendersOf<C>;
  /**
   * Graceful close (Bye), bounded by closeTimeoutMs. Idempotent; resolves when closed. Before the
   * handshake completes there is no Bye: the handshake is abandoned (`ready` and waiting calls
   * reject UNAVAILABLE), the remote is refused UNAVAILABLE if not yet answered, and the
   * connection ends with a FIN.
   */
  close(): Promise<void>;
  /** Abrupt close: resets the connection and rejects everything pending at once. */
  destroy(error?: Error): void;
  /** Resolves (never rejects) once the peer and its connection are closed. */
  readonly closed: Promise<CloseInfo>;
  /** Live counters. */
  readonly stats: PeerStats;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Turns what the request handler of `method` (or its item generator) threw into what is sent back
 * (then encoded as any error is). One hook per peer, on the failure path only: a wrapper around
 * each handler would cost a promise per call and one per streamed item.
 */
export type HandlerErrorHook = (error: unknown, method: string) => unknown;
