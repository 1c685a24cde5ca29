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

/** One request method: what the caller sends and what comes back. */
export interface RequestDefinition {
  /** Schema of the request input, checked on the serving side. */
  readonly input: $ZodType;
  /** Schema of the response output, checked on the calling side. */
  readonly output: $ZodType;
  /** Whether calling twice has the effect of calling once, so a failed call may be retried. */
  readonly idempotent?: boolean | undefined;
}

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
type OutputSchema<D, M> = M extends keyof RequestsOf<D>
  ? RequestsOf<D>[M] extends { readonly output: infer O }
    ? O
    : never
  : never;
type SignalSchema<D, S> = S extends keyof SignalsOf<D> ? SignalsOf<D>[S] : never;

/** Names of a contract's request methods. */
export type RequestName<C> = keyof RequestsOf<DefinitionOf<C>> & string;
/** Names of a contract's signals. */
export type SignalName<C> = keyof SignalsOf<DefinitionOf<C>> & string;

/** What a caller passes to method `M` (`z.input` of its input schema). */
export type RequestInput<C, M extends RequestName<C>> = ZodInput<InputSchema<DefinitionOf<C>, M>>;
/** What a caller gets back from method `M` (`z.output` of its output schema). */
export type RequestOutput<C, M extends RequestName<C>> = ZodOutput<
  OutputSchema<DefinitionOf<C>, M>
>;
/** What the handler of method `M` receives (`z.output` of its input schema). */
export type HandlerInput<C, M extends RequestName<C>> = ZodOutput<InputSchema<DefinitionOf<C>, M>>;
/** What the handler of method `M` returns (`z.input` of its output schema). */
export type HandlerOutput<C, M extends RequestName<C>> = ZodInput<OutputSchema<DefinitionOf<C>, M>>;
/** What a signal handler for `S` receives (`z.output` of its schema). */
export type SignalPayload<C, S extends SignalName<C>> = ZodOutput<SignalSchema<DefinitionOf<C>, S>>;
/** What a sender of signal `S` passes (`z.input` of its schema). */
export type SignalInput<C, S extends SignalName<C>> = ZodInput<SignalSchema<DefinitionOf<C>, S>>;

/** The handlers that implement a contract: one per request method, typed from the schemas. */
export type ContractHandlers<C, Ctx> = {
  [M in RequestName<C>]: (
    input: HandlerInput<C, M>,
    ctx: Ctx,
  ) => HandlerOutput<C, M> | Promise<HandlerOutput<C, M>>;
};

/** Optional handlers for a contract's signals. */
export type ContractSignalHandlers<C, Ctx> = {
  [S in SignalName<C>]?: (payload: SignalPayload<C, S>, ctx: Ctx) => void;
};

/** A typed proxy for calling a contract: one async function per request method. */
export type ContractCaller<C, Opts> = {
  [M in RequestName<C>]: (
    input: RequestInput<C, M>,
    options?: Opts,
  ) => Promise<RequestOutput<C, M>>;
};

/** A typed proxy for sending a contract's signals; `R` is what sending returns (e.g. `boolean`). */
export type ContractSignalSenders<C, R = void> = {
  [S in SignalName<C>]: (payload: SignalInput<C, S>) => R;
};
