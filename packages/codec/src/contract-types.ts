/**
 * Type-level side of contracts: the definition shape users write and the helpers the engine uses to
 * type handlers, callers and signal senders from the schemas alone (no hand-written generics).
 *
 * Where a schema's input and output types differ (`.default()`, `.transform()`, coercion), the wire
 * carries the input side: callers and senders pass `z.input`, and the receiving end gets `z.output`
 * after validation. So a handler receives `z.output` of the request's input schema and returns
 * `z.input` of its output schema, and a caller gets `z.output` of the output schema.
 */

import type { $ZodType, input as ZodInput, output as ZodOutput } from "zod/v4/core";
import type { ContractValidationError } from "./errors.js";

/** A unary request method: what the caller sends and what comes back. */
export interface UnaryRequestDefinition {
  /** Schema of the request input, checked on the serving side. */
  readonly input: $ZodType;
  /** Schema of the response output, checked on the calling side. */
  readonly output: $ZodType;
  /** Whether calling twice has the effect of calling once, so a failed call may be retried. */
  readonly idempotent?: boolean | undefined;
  readonly yields?: undefined;
  readonly accepts?: undefined;
  readonly timeoutMs?: undefined;
}

/** Fields of a stream method besides `yields` and `accepts` (see {@link StreamRequestDefinition}). */
interface StreamRequestFields {
  /** Schema of the request input, checked on the serving side. */
  readonly input: $ZodType;
  /** Schema of the final output, checked on the calling side; none: the call ends with nothing. */
  readonly output?: $ZodType | undefined;
  /**
   * Deadline of the whole call, in milliseconds, from its start to its final output: a number
   * from 1 to 2^31 - 1, or `Infinity` as an explicit choice (no deadline). Required: a stream has
   * no default, so "every call has a deadline" stays true unless the contract says otherwise.
   */
  readonly timeoutMs: number;
  /** Whether calling twice has the effect of calling once (streams are never retried for you). */
  readonly idempotent?: boolean | undefined;
}

/**
 * A stream method: the handler sends items (`yields`), the caller sends items (`accepts`), or both,
 * before the final `output`.
 */
export type StreamRequestDefinition = StreamRequestFields &
  (
    | { readonly yields: $ZodType; readonly accepts?: $ZodType | undefined }
    | { readonly yields?: $ZodType | undefined; readonly accepts: $ZodType }
  );

/** One request method: unary, or a stream method (it declares `yields`, `accepts` or both). */
export type RequestDefinition = UnaryRequestDefinition | StreamRequestDefinition;

/** What {@link defineContract} takes. */
export interface ContractDefinition {
  /** Contract name, compared at handshake (e.g. `"calculator"`). */
  readonly name: string;
  /** Contract version, compared at handshake; not part of the fingerprint. */
  readonly version: string | number;
  /** Request methods by name. */
  readonly requests?: { readonly [method: string]: RequestDefinition } | undefined;
  /** One-way signals by name, each with its payload schema. */
  readonly signals?: { readonly [signal: string]: $ZodType } | undefined;
  /**
   * Validate what arrives: request inputs (serving side), response outputs and signal payloads.
   * Turn off only for a trusted link; defaults and transforms then do not run either.
   * @default true
   */
  readonly validateInbound?: boolean | undefined;
  /**
   * Also check what is sent (request inputs, handler outputs, signal payloads) before it leaves, to
   * catch bugs on the side that made them.
   * @default false
   */
  readonly validateOutbound?: boolean | undefined;
  /**
   * Compile schemas with zod's `compile()` (a generated fast path; uses `new Function`). Error
   * reporting is unchanged; turn off where code generation is forbidden.
   * @default true
   */
  readonly compileSchemas?: boolean | undefined;
}

/** Outcome of a parse or check: a result, not a throw, so the hot path pays for no exception. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ContractValidationError };

type EmptyMap = Record<never, never>;

/** The definition type behind a contract type. */
export type DefinitionOf<C> = C extends { readonly definition: infer D extends ContractDefinition }
  ? D
  : never;

/** Request definitions of a definition type (`{}` when it has none). */
export type RequestsOf<D> = D extends { readonly requests?: infer R }
  ? NonNullable<R> extends { readonly [method: string]: RequestDefinition }
    ? NonNullable<R>
    : EmptyMap
  : EmptyMap;

/** Signal schemas of a definition type (`{}` when it has none). */
export type SignalsOf<D> = D extends { readonly signals?: infer S }
  ? NonNullable<S> extends { readonly [signal: string]: $ZodType }
    ? NonNullable<S>
    : EmptyMap
  : EmptyMap;

type InputSchema<D, M> = M extends keyof RequestsOf<D>
  ? RequestsOf<D>[M] extends { readonly input: infer I }
    ? I
    : never
  : never;
/** The method's output schema; `undefined` when a stream method declares none. */
type OutputSchema<D, M> = M extends keyof RequestsOf<D>
  ? SchemaAt<RequestsOf<D>[M], "output">
  : never;
/** `R[K]` when it is a schema, else `undefined`; distributes over a union of definitions. */
type SchemaAt<R, K extends string> = R extends { readonly [key in K]: infer S extends $ZodType }
  ? S
  : undefined;
/** `z.output` of a schema, `Else` for `undefined`; distributes, so a wide contract stays `unknown`. */
type OutputOf<S, Else> = S extends $ZodType ? ZodOutput<S> : Else;
/** `z.input` of a schema, `Else` for `undefined`; distributes like {@link OutputOf}. */
type InputOf<S, Else> = S extends $ZodType ? ZodInput<S> : Else;
/** The method's `yields` or `accepts` schema; `undefined` when it declares none. */
type ItemSchema<D, M, K extends "yields" | "accepts"> = M extends keyof RequestsOf<D>
  ? SchemaAt<RequestsOf<D>[M], K>
  : never;
type SignalSchema<D, S> = S extends keyof SignalsOf<D> ? SignalsOf<D>[S] : never;

/** Names of a contract's request methods. */
export type RequestName<C> = keyof RequestsOf<DefinitionOf<C>> & string;
/** Names of a contract's signals. */
export type SignalName<C> = keyof SignalsOf<DefinitionOf<C>> & string;

/** What a caller passes to method `M` (`z.input` of its input schema). */
export type RequestInput<C, M extends RequestName<C>> = ZodInput<InputSchema<DefinitionOf<C>, M>>;
/**
 * What a caller gets back from method `M` (`z.output` of its output schema; `undefined` for a
 * stream method without `output`).
 */
export type RequestOutput<C, M extends RequestName<C>> = OutputOf<
  OutputSchema<DefinitionOf<C>, M>,
  undefined
>;
/** What the handler of method `M` receives (`z.output` of its input schema). */
export type HandlerInput<C, M extends RequestName<C>> = ZodOutput<InputSchema<DefinitionOf<C>, M>>;
/**
 * What the handler of method `M` returns (`z.input` of its output schema; nothing, `void`, for a
 * stream method without `output`).
 */
export type HandlerOutput<C, M extends RequestName<C>> = InputOf<
  OutputSchema<DefinitionOf<C>, M>,
  void
>;
/** `true` when method `M` declares `yields` (its handler sends items). */
export type HasYields<C, M extends RequestName<C>> = [
  ItemSchema<DefinitionOf<C>, M, "yields">,
] extends [$ZodType]
  ? true
  : false;
/** `true` when method `M` declares `accepts` (its caller sends items). */
export type HasAccepts<C, M extends RequestName<C>> = [
  ItemSchema<DefinitionOf<C>, M, "accepts">,
] extends [$ZodType]
  ? true
  : false;
/** Names of the methods that yield nothing: unary methods and client streams. */
export type CallName<C> = {
  [M in RequestName<C>]: HasYields<C, M> extends true ? never : M;
}[RequestName<C>];
/** Names of the methods that yield items (called through `client.stream`). */
export type StreamName<C> = {
  [M in RequestName<C>]: HasYields<C, M> extends true ? M : never;
}[RequestName<C>];

type ItemOutput<C, M extends RequestName<C>, K extends "yields" | "accepts"> = OutputOf<
  ItemSchema<DefinitionOf<C>, M, K>,
  never
>;
type ItemInput<C, M extends RequestName<C>, K extends "yields" | "accepts"> = InputOf<
  ItemSchema<DefinitionOf<C>, M, K>,
  never
>;

/** An item the caller of `M` receives (`z.output` of `yields`). */
export type RequestItem<C, M extends RequestName<C>> = ItemOutput<C, M, "yields">;
/** An item the handler of `M` yields (`z.input` of `yields`). */
export type HandlerItem<C, M extends RequestName<C>> = ItemInput<C, M, "yields">;
/** An item the caller of `M` sends (`z.input` of `accepts`). */
export type RequestInputItem<C, M extends RequestName<C>> = ItemInput<C, M, "accepts">;
/** An item the handler of `M` reads from `ctx.inputs` (`z.output` of `accepts`). */
export type HandlerInputItem<C, M extends RequestName<C>> = ItemOutput<C, M, "accepts">;

/** The caller's items of a call, in its options: any (async) iterable; the call ends it early. */
export interface StreamInputs<T> {
  readonly inputs: AsyncIterable<T> | Iterable<T>;
}

/**
 * What a call of a method that yields returns: the items as an async iterable (breaking out of the
 * loop cancels the call), and the final output in `result`.
 */
export interface CallStream<T, R> extends AsyncIterable<T> {
  /** The final output; rejects with the call's error (`CANCELLED` after an early break). */
  readonly result: Promise<R>;
}

/** What a signal handler for `S` receives (`z.output` of its schema). */
export type SignalPayload<C, S extends SignalName<C>> = ZodOutput<SignalSchema<DefinitionOf<C>, S>>;
/** What a sender of signal `S` passes (`z.input` of its schema). */
export type SignalInput<C, S extends SignalName<C>> = ZodInput<SignalSchema<DefinitionOf<C>, S>>;

/**
 * The handlers that implement a contract: one per request method, typed from the schemas. A method
 * that `yields` is an async generator (`yield` items, `return` the output); one that `accepts`
 * reads the caller's items from `ctx.inputs`.
 */
export type ContractHandlers<C, Ctx> = {
  [M in RequestName<C>]: ContractHandler<C, M, Ctx>;
};

/** The handler of method `M`, as {@link ContractHandlers} types it. */
export type ContractHandler<C, M extends RequestName<C>, Ctx> = (
  input: HandlerInput<C, M>,
  ctx: HandlerContextOf<C, M, Ctx>,
) => HandlerResult<C, M>;

/**
 * The context a handler of `M` gets: `Ctx`, plus `inputs` when the method `accepts`. An
 * intersection rather than a conditional around `Ctx`, so handler maps over a generic context still
 * compare as they did before streams.
 */
export type HandlerContextOf<C, M extends RequestName<C>, Ctx> = Ctx &
  (HasAccepts<C, M> extends true
    ? { readonly inputs: AsyncIterable<HandlerInputItem<C, M>> }
    : unknown);

/** What a handler of `M` returns: an async generator of items when it `yields`, else the output. */
export type HandlerResult<C, M extends RequestName<C>> =
  HasYields<C, M> extends true
    ? AsyncGenerator<HandlerItem<C, M>, HandlerOutput<C, M>, undefined>
    : HandlerOutput<C, M> | Promise<HandlerOutput<C, M>>;

/** Optional handlers for a contract's signals. */
export type ContractSignalHandlers<C, Ctx> = {
  [S in SignalName<C>]?: (payload: SignalPayload<C, S>, ctx: Ctx) => void;
};

/**
 * A typed proxy for calling a contract: one async function per method that yields nothing (unary
 * methods, and client streams, which take their items in `options.inputs`). Methods that yield are
 * called through {@link ContractStreamCaller}.
 */
export type ContractCaller<C, Opts> = {
  [M in CallName<C>]: HasAccepts<C, M> extends true
    ? (
        input: RequestInput<C, M>,
        options: Opts & StreamInputs<RequestInputItem<C, M>>,
      ) => Promise<RequestOutput<C, M>>
    : (input: RequestInput<C, M>, options?: Opts) => Promise<RequestOutput<C, M>>;
};

/**
 * A typed proxy for the methods that yield: each returns a {@link CallStream} of the items, with
 * the final output in `result`. A bidirectional method takes its items in `options.inputs`.
 */
export type ContractStreamCaller<C, Opts> = {
  [M in StreamName<C>]: HasAccepts<C, M> extends true
    ? (
        input: RequestInput<C, M>,
        options: Opts & StreamInputs<RequestInputItem<C, M>>,
      ) => CallStream<RequestItem<C, M>, RequestOutput<C, M>>
    : (
        input: RequestInput<C, M>,
        options?: Opts,
      ) => CallStream<RequestItem<C, M>, RequestOutput<C, M>>;
};

/** A typed proxy for sending a contract's signals; `R` is what sending returns (e.g. `boolean`). */
export type ContractSignalSenders<C, R = void> = {
  [S in SignalName<C>]: (payload: SignalInput<C, S>) => R;
};
