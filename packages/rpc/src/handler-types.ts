/**
 * The types a service is written against: what a handler receives (`HandlerContext`), and the
 * handler objects for a contract (`Handlers`, `SignalHandlers`), so handlers can live outside the
 * `serve()` call, typed.
 */
import type {
  AnyContract,
  ContractHandlers,
  ContractSignalHandlers,
  ContractSignalSenders,
} from "@parley/codec";
import type {
  CallerOf,
  Metadata,
  HandlerContext as PeerHandlerContext,
  SignalContext as PeerSignalContext,
  ScopedCaller,
  StreamCallerOf,
} from "@parley/peer";
import type { RpcConnection } from "./rpc-connection.js";

/** Signal senders for contract `C`, or untyped senders without one. */
export type EmitterOf<C> = C extends AnyContract
  ? ContractSignalSenders<C, Promise<void>>
  : { readonly [name: string]: (payload?: unknown) => Promise<void> };

/**
 * Calls, streams and signals back into the remote from a handler, typed by the callback contract
 * `C`: `ctx.peer.call.<method>(input)`, `ctx.peer.stream.<method>(input, { inputs })` and
 * `ctx.peer.emit.<signal>(payload)`. Calls and streams inherit the handler's deadline and
 * cancellation.
 */
export type CallbackPeer<C> = ScopedCaller<CallerOf<C>, EmitterOf<C>, StreamCallerOf<C>>;

/**
 * What every request handler receives besides its input. `C` is the contract this side calls
 * back (the server's `calls`), `Ctx` what `createContext` returns, `Identity` what `verifyAuth`
 * returns.
 */
export interface HandlerContext<
  C extends AnyContract | undefined = undefined,
  Ctx = undefined,
  Identity = unknown,
> extends Omit<PeerHandlerContext, "peer"> {
  /** Calls back into the remote, typed by the callback contract. */
  readonly peer: CallbackPeer<C>;
  /** The connection the call came on: id, transport, address, identity, Hello metadata, `closed`. */
  readonly connection: RpcConnection<AnyContract | undefined, C, Identity>;
  /** What `createContext(connection)` returned for this connection (`undefined` without it). */
  readonly context: Ctx;
}

/** What every signal handler receives besides its payload. */
export interface SignalContext<
  C extends AnyContract | undefined = undefined,
  Ctx = undefined,
  Identity = unknown,
> extends Omit<PeerSignalContext, "peer"> {
  readonly name: string;
  readonly metadata: Metadata;
  /** Calls back into the remote, typed by the callback contract. */
  readonly peer: CallbackPeer<C>;
  /** The connection the signal came on. */
  readonly connection: RpcConnection<AnyContract | undefined, C, Identity>;
  /** What `createContext(connection)` returned for this connection. */
  readonly context: Ctx;
}

/**
 * The request handlers of contract `S`, typed: `const handlers: Handlers<typeof kv> = {...}`.
 * `C` is the callback contract, `Ctx` the context type, `Identity` the verifier's identity.
 */
export type Handlers<
  S extends AnyContract,
  C extends AnyContract | undefined = undefined,
  Ctx = undefined,
  Identity = unknown,
> = ContractHandlers<S, HandlerContext<C, Ctx, Identity>>;

/** The signal handlers of contract `S` (each optional), typed like {@link Handlers}. */
export type SignalHandlers<
  S extends AnyContract,
  C extends AnyContract | undefined = undefined,
  Ctx = undefined,
  Identity = unknown,
> = ContractSignalHandlers<S, SignalContext<C, Ctx, Identity>>;
