/**
 * Options of `createPeer`, their defaults, and their validation (once, in the constructor; a bad
 * value is an InvalidOptionError naming the option and its rule).
 */
import {
  type AnyContract,
  type Codec,
  type ContractHandlers,
  type ContractSignalHandlers,
  createMsgpackCodec,
} from "@parley/codec";
import { InvalidOptionError } from "@parley/framing";
import {
  booleanOption,
  describe,
  durationOption,
  functionOption,
  integerOption,
  objectOption,
  oneOfOption,
} from "@parley/framing/internal";
import { type AuthOptions, type ResolvedAuthOptions, resolveAuthOptions } from "./auth-options.js";
import type { PeerError } from "./errors.js";
import type { HandlerContext, SignalContext } from "./handler-run.js";
import type { RequestHandler, SignalHandler } from "./inbound-calls.js";
import { encodeMetadata } from "./metadata-block.js";
import { FLUSH_SCHEDULERS, type FlushScheduler } from "./outbox.js";
import type {
  CallerOf,
  ContractLike,
  HandlerErrorHook,
  PeerLogger,
  RemoteHello,
  StreamCallerOf,
} from "./peer-types.js";
import { contractOption } from "./runtime-contract.js";
import {
  type ResolvedStreamOptions,
  resolveStreamOptions,
  type StreamOptions,
} from "./stream-options.js";
import { MAX_HELLO_BYTES } from "./wire-constants.js";
import { createBinaryWireFormat, type WireFormatFactory } from "./wire-format.js";
import type { Metadata } from "./wire-messages.js";

/** Default `contractCheck`: agree per method (protocol 1.1), so contracts can evolve. */
export const DEFAULT_CONTRACT_CHECK = "compatible";

/** Default `handshakeTimeoutMs`: 5 s. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
/** Default `requestTimeoutMs`: every call has a deadline, 30 s unless told otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default `closeTimeoutMs`: 10 s for in-flight work to finish after Bye. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** Default `maxConcurrentHandlers`: 256 handlers running at once per connection. */
export const DEFAULT_MAX_CONCURRENT_HANDLERS = 256;
/** Default `maxQueuedRequests`: 1024 requests waiting for a handler slot, then OVERLOADED. */
export const DEFAULT_MAX_QUEUED_REQUESTS = 1_024;
/** Default `maxPendingCalls`: 1024 outbound calls in flight; more wait within their deadline. */
export const DEFAULT_MAX_PENDING_CALLS = 1_024;
/** Largest accepted `maxPendingCalls` (keeps Bye's serial-number comparison exact). */
export const MAX_PENDING_CALLS_LIMIT = 1 << 20;
/** Default `maxBufferedBytes`: 1 MiB queued for one write before request()/signal() wait. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1_048_576;
/** Default `slowConsumerTimeoutMs`: 10 s of blocked output before SLOW_CONSUMER. */
export const DEFAULT_SLOW_CONSUMER_TIMEOUT_MS = 10_000;
/** Default `heartbeatIntervalMs`: Ping after 15 s of silence. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
/** Default `heartbeatTimeoutMs`: no Pong within 10 s means PEER_UNRESPONSIVE. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000;
/** Default `maxFrameBytes`: 4 MiB, advertised in Hello. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1_048_576;
/** Smallest `maxFrameBytes`: a Hello of up to 64 KiB must always fit. */
export const MIN_MAX_FRAME_BYTES = MAX_HELLO_BYTES;

/** The `ctx` a handler (or signal handler) of a peer that calls `C` gets: `ctx.peer` typed by `C`. */
type ContextOf<C> = HandlerContext<CallerOf<C>, StreamCallerOf<C>>;
type SignalContextOf<C> = SignalContext<CallerOf<C>, StreamCallerOf<C>>;

/** Handlers for the served contract `S` (untyped without a contract). */
export type HandlersOf<S, C> = S extends ContractLike
  ? ContractHandlers<S, ContextOf<C>>
  : // biome-ignore lint/suspicious/noExplicitAny: untyped handlers receive whatever the remote sent.
    { readonly [method: string]: (input: any, ctx: ContextOf<C>) => unknown };

/** Signal handlers for the served contract `S` (untyped without a contract). */
export type SignalHandlersOf<S, C> = S extends ContractLike
  ? ContractSignalHandlers<S, SignalContextOf<C>>
  : // biome-ignore lint/suspicious/noExplicitAny: untyped handlers receive whatever the remote sent.
    { readonly [name: string]: (payload: any, ctx: SignalContextOf<C>) => unknown };

/** Options of `createPeer`. Every field is optional. */
export interface PeerOptions<
  S extends ContractLike | undefined = undefined,
  C extends ContractLike | undefined = undefined,
> extends AuthOptions,
    StreamOptions {
  /** The contract this side serves; its inbound requests and signals are validated against it. */
  serves?: S;
  /** One handler per request method of `serves`. */
  handlers?: HandlersOf<S, C>;
  /** Handlers for the signals of `serves` (each optional). */
  signalHandlers?: SignalHandlersOf<S, C>;
  /** The contract this side calls on the remote; responses are validated against it. */
  calls?: C;
  /**
   * Accept a remote that serves no contract although this side `calls` one (a server whose
   * callback contract only some clients serve). Calls and signals to such a remote fail locally
   * with UNIMPLEMENTED; a remote serving another contract is still refused. @default false
   */
  callsOptional?: boolean;
  /** Informational (logs, messages): the protocol is symmetric. @default "client" */
  side?: "client" | "server";
  /** Body codec; both peers must use the same one. @default a new createMsgpackCodec() per peer */
  codec?: Codec;
  /**
   * Consulted when this side is about to accept the remote's Hello (after every check): an error
   * returned refuses it with HelloAck refuse and that error's code (rpc's server answers
   * OVERLOADED here when `maxConnections` filled meanwhile). @default none
   */
  admit?: (hello: RemoteHello) => PeerError | undefined;
  /** Sent in Hello; the remote sees it in `ready`'s `remote.metadata`. @default none */
  metadata?: Metadata;
  /**
   * How the Hello compares contracts. `"compatible"`: per method (protocol 1.1), accepting a server
   * that serves more or fewer methods or schemas that still fit (docs/contract-changes.md);
   * `"strict"`: the whole contract must be the same (name, version, fingerprint), as in 1.0.
   * @default "compatible"
   */
  contractCheck?: "compatible" | "strict";
  /** Time for Hello both ways. @default 5000 */
  handshakeTimeoutMs?: number;
  /** Deadline of every call that sets no `timeoutMs`. @default 30000 */
  requestTimeoutMs?: number;
  /** Time for in-flight work to finish after Bye before a hard close. @default 10000 */
  closeTimeoutMs?: number;
  /** Handlers running at once on this connection. @default 256 */
  maxConcurrentHandlers?: number;
  /** Requests waiting for a handler slot; beyond it, OVERLOADED. @default 1024 */
  maxQueuedRequests?: number;
  /** Outbound calls in flight; more wait within their deadline. @default 1024 */
  maxPendingCalls?: number;
  /** Bytes queued for one write before request()/signal() wait (also waits on write() false). @default 1048576 */
  maxBufferedBytes?: number;
  /** Blocked output for this long means the remote is not reading: SLOW_CONSUMER. @default 10000 */
  slowConsumerTimeoutMs?: number;
  /** Ping after this much silence (0 turns the heartbeat off). @default 15000 */
  heartbeatIntervalMs?: number;
  /** No Pong within this long: PEER_UNRESPONSIVE. @default 10000 */
  heartbeatTimeoutMs?: number;
  /** Largest frame payload accepted (advertised in Hello; at least 65536). @default 4194304 */
  maxFrameBytes?: number;
  /** Capture the call site of every call for DEADLINE_EXCEEDED stacks (costs a stack per call). @default false */
  captureCallSites?: boolean;
  /** Receives warnings nobody else can: dropped signals, signal handler errors. @default none */
  logger?: PeerLogger;
  /** What to send for what a request handler (or its generator) threw: rpc hides uncoded errors. */
  handlerError?: HandlerErrorHook;
  /** Each connection's wire format; both peers use the same. @default createBinaryWireFormat */
  wireFormat?: WireFormatFactory;
  /** When a turn's frames are written (see FlushScheduler in outbox.ts). @default "auto" */
  flushScheduler?: FlushScheduler;
}

/** {@link PeerOptions} validated, with defaults filled in. */
export interface ResolvedPeerOptions extends ResolvedAuthOptions, ResolvedStreamOptions {
  readonly serves: AnyContract | undefined;
  readonly calls: AnyContract | undefined;
  /** `serves` / `calls` when their validateOutbound is on (decided here, once per peer), else undefined. */
  readonly checkedServes: AnyContract | undefined;
  readonly checkedCalls: AnyContract | undefined;
  readonly callsOptional: boolean;
  readonly handlers: ReadonlyMap<string, RequestHandler>;
  readonly signalHandlers: ReadonlyMap<string, SignalHandler>;
  readonly side: "client" | "server";
  readonly codec: Codec;
  readonly verifyAuth: PeerOptions["verifyAuth"];
  readonly admit: PeerOptions["admit"];
  readonly metadata: Metadata | undefined;
  readonly contractCheck: "compatible" | "strict";
  readonly handshakeTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly maxConcurrentHandlers: number;
  readonly maxQueuedRequests: number;
  readonly maxPendingCalls: number;
  readonly maxBufferedBytes: number;
  readonly slowConsumerTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly captureCallSites: boolean;
  readonly logger: PeerLogger | undefined;
  readonly handlerError: HandlerErrorHook | undefined;
  readonly wireFormat: WireFormatFactory;
  readonly flushScheduler: FlushScheduler;
}

/**
 * Validates `options` once.
 * @throws {InvalidOptionError} INVALID_OPTION naming the option and the rule it broke.
 */
export function resolvePeerOptions(options: Options): ResolvedPeerOptions {
  const o = objectOption<typeof options>("options", options) ?? {};
  const serves = contractOption("serves", o.serves);
  const calls = contractOption("calls", o.calls);
  const maxConcurrentHandlers = integerOption(
    "maxConcurrentHandlers",
    o.maxConcurrentHandlers,
    DEFAULT_MAX_CONCURRENT_HANDLERS,
    1,
  );
  // Checked in the order of the fields, so that the first bad option is the one reported.
  return Object.freeze({
    serves,
    calls,
    callsOptional: booleanOption("callsOptional", o.callsOptional, false),
    checkedServes: serves?.validateOutbound ? serves : undefined,
    checkedCalls: calls?.validateOutbound ? calls : undefined,
    ...resolveIdentity(o, serves),
    ...resolveLimits(o, maxConcurrentHandlers),
    ...resolveLiveness(o),
    ...resolveStreamOptions(o),
  });
}

type Options = PeerOptions<ContractLike | undefined, ContractLike | undefined>;

/** What this side serves, speaks and says about itself. */
function resolveIdentity(o: Options, serves: AnyContract | undefined) {
  return {
    handlers: handlerMap<RequestHandler>("handlers", o.handlers, serves, "request"),
    signalHandlers: handlerMap<SignalHandler>("signalHandlers", o.signalHandlers, serves, "signal"),
    side: sideOption(o.side),
    codec: codecOption(o.codec),
    ...resolveAuthOptions(o),
    verifyAuth: functionOption<NonNullable<PeerOptions["verifyAuth"]>>("verifyAuth", o.verifyAuth),
    admit: functionOption<NonNullable<PeerOptions["admit"]>>("admit", o.admit),
    metadata: metadataOption(o.metadata),
    contractCheck: contractCheckOption(o.contractCheck),
  };
}

/** Time limits of the handshake, calls and the close, and the bounds on work and buffers. */
function resolveLimits(o: Options, maxConcurrentHandlers: number) {
  return {
    handshakeTimeoutMs: durationOption(
      "handshakeTimeoutMs",
      o.handshakeTimeoutMs,
      DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ),
    requestTimeoutMs: durationOption(
      "requestTimeoutMs",
      o.requestTimeoutMs,
      DEFAULT_REQUEST_TIMEOUT_MS,
    ),
    closeTimeoutMs: durationOption("closeTimeoutMs", o.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS),
    maxConcurrentHandlers,
    maxQueuedRequests: integerOption(
      "maxQueuedRequests",
      o.maxQueuedRequests,
      DEFAULT_MAX_QUEUED_REQUESTS,
      0,
      0xffff_ffff - maxConcurrentHandlers,
    ),
    maxPendingCalls: integerOption(
      "maxPendingCalls",
      o.maxPendingCalls,
      DEFAULT_MAX_PENDING_CALLS,
      1,
      MAX_PENDING_CALLS_LIMIT,
    ),
    maxBufferedBytes: integerOption(
      "maxBufferedBytes",
      o.maxBufferedBytes,
      DEFAULT_MAX_BUFFERED_BYTES,
      1,
    ),
  };
}

/** Liveness (slow consumer, heartbeat), frame size, and the tools around the engine. */
function resolveLiveness(o: Options) {
  return {
    slowConsumerTimeoutMs: durationOption(
      "slowConsumerTimeoutMs",
      o.slowConsumerTimeoutMs,
      DEFAULT_SLOW_CONSUMER_TIMEOUT_MS,
    ),
    heartbeatIntervalMs: durationOption(
      "heartbeatIntervalMs",
      o.heartbeatIntervalMs,
      DEFAULT_HEARTBEAT_INTERVAL_MS,
      true,
    ),
    heartbeatTimeoutMs: durationOption(
      "heartbeatTimeoutMs",
      o.heartbeatTimeoutMs,
      DEFAULT_HEARTBEAT_TIMEOUT_MS,
    ),
    maxFrameBytes: integerOption(
      "maxFrameBytes",
      o.maxFrameBytes,
      DEFAULT_MAX_FRAME_BYTES,
      MIN_MAX_FRAME_BYTES,
      0xffff_ffff,
    ),
    captureCallSites: captureCallSitesOption(o.captureCallSites),
    logger: loggerOption(o.logger),
    handlerError: functionOption<HandlerErrorHook>("handlerError", o.handlerError),
    wireFormat:
      functionOption<WireFormatFactory>("wireFormat", o.wireFormat) ?? createBinaryWireFormat,
    flushScheduler: oneOfOption("flushScheduler", o.flushScheduler, "auto", FLUSH_SCHEDULERS),
  };
}

/** Handlers as a Map (own, function-valued entries only: a name from the wire never reaches the prototype). */
function handlerMap<H>(
  name: string,
  value: unknown,
  serves: AnyContract | undefined,
  kind: "request" | "signal",
): ReadonlyMap<string, H> {
  const handlers = objectOption<Record<string, unknown>>(name, value);
  const map = new Map<string, H>();
  if (handlers === undefined) return map;
  for (const [key, handler] of Object.entries(handlers)) {
    if (typeof handler !== "function") {
      throw new InvalidOptionError(`${name}.${key} must be a function (got ${describe(handler)})`);
    }
    const known = kind === "request" ? serves?.hasRequest(key) : serves?.hasSignal(key);
    if (serves !== undefined && !known) {
      throw new InvalidOptionError(
        `${name}.${key} is not a ${kind} of contract ${serves.name}; remove it or add it to the contract`,
      );
    }
    map.set(key, handler as H);
  }
  return map;
}

function contractCheckOption(value: unknown): "compatible" | "strict" {
  if (value === undefined) return DEFAULT_CONTRACT_CHECK;
  if (value !== "compatible" && value !== "strict") {
    throw new InvalidOptionError(
      `contractCheck must be "compatible" or "strict" (got ${describe(value)})`,
    );
  }
  return value;
}

function sideOption(value: unknown): "client" | "server" {
  if (value === undefined) return "client";
  if (value !== "client" && value !== "server") {
    throw new InvalidOptionError(`side must be "client" or "server" (got ${describe(value)})`);
  }
  return value;
}

function codecOption(value: unknown): Codec {
  if (value === undefined) return createMsgpackCodec();
  const c = value as Partial<Codec> | null;
  if (
    typeof c !== "object" ||
    c === null ||
    typeof c.name !== "string" ||
    typeof c.encode !== "function" ||
    typeof c.encodeReserved !== "function" ||
    typeof c.decode !== "function"
  ) {
    throw new InvalidOptionError(
      `codec must be a Codec (name, encode, encodeReserved, decode), e.g. createMsgpackCodec() (got ${describe(value)})`,
    );
  }
  return c as Codec;
}

function metadataOption(value: unknown): Metadata | undefined {
  const metadata = objectOption<Metadata>("metadata", value);
  if (metadata !== undefined) encodeMetadata(metadata); // throws INVALID_OPTION on a bad entry
  return metadata;
}

function loggerOption(value: unknown): PeerLogger | undefined {
  const logger = objectOption<PeerLogger>("logger", value);
  if (logger !== undefined && typeof logger.warn !== "function") {
    throw new InvalidOptionError("logger must have a warn(message, details) method");
  }
  return logger;
}

/** The shared boolean rule says "true or false"; this option's message said "a boolean" first. */
function captureCallSitesOption(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new InvalidOptionError(`captureCallSites must be a boolean (got ${describe(value)})`);
  }
  return value;
}
