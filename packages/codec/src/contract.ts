/**
 * Contracts: named sets of request methods and signals with zod schemas, validated where messages
 * cross a trust boundary. A contract is direction-free: either peer may serve it or call it, and a
 * connection may carry one contract each way.
 */

import { InvalidOptionError } from "@parley/framing";
import type { $ZodType } from "zod/v4/core";
import { checkDefinition, prepareSchema } from "./contract-definition.js";
import type {
  ContractDefinition,
  HandlerInput,
  HandlerInputItem,
  HandlerItem,
  HandlerOutput,
  ParseResult,
  RequestInput,
  RequestInputItem,
  RequestItem,
  RequestName,
  RequestOutput,
  SignalInput,
  SignalName,
  SignalPayload,
} from "./contract-types.js";
import type { ContractErrorCode } from "./errors.js";
import { contractFingerprint } from "./fingerprint.js";
import { checkSchema } from "./schema-check.js";
import { NEVER, NOTHING, type StreamShape, streamShape } from "./stream-shape.js";

/** Default for `validateInbound`. */
export const DEFAULT_VALIDATE_INBOUND = true;
/** Default for `validateOutbound`. */
export const DEFAULT_VALIDATE_OUTBOUND = false;
/** Default for `compileSchemas`. */
export const DEFAULT_COMPILE_SCHEMAS = true;

/**
 * Any contract, whatever its definition: what the engine accepts (`<C extends AnyContract>`). Its
 * methods take plain strings and return `unknown` values; {@link Contract} narrows each of them.
 */
export interface AnyContract {
  /** Contract name. */
  readonly name: string;
  /** Contract version. */
  readonly version: string | number;
  /** See {@link Contract.fingerprint}. */
  readonly fingerprint: string;
  /** The definition passed to {@link defineContract}. */
  readonly definition: ContractDefinition;
  /** Resolved `validateInbound`. */
  readonly validateInbound: boolean;
  /** Resolved `validateOutbound`. */
  readonly validateOutbound: boolean;
  /** Request method names, in definition order. */
  readonly requestNames: readonly string[];
  /** Signal names, in definition order. */
  readonly signalNames: readonly string[];
  /** True when `method` is one of the contract's request methods (own names only). */
  hasRequest(method: string): boolean;
  /** True when `signal` is one of the contract's signals (own names only). */
  hasSignal(signal: string): boolean;
  /** The method's `idempotent` flag; `false` for an unknown method. */
  isIdempotent(method: string): boolean;
  /** See {@link Contract.parseInput}. */
  parseInput(method: string, value: unknown): ParseResult<unknown>;
  /** See {@link Contract.parseOutput}. */
  parseOutput(method: string, value: unknown): ParseResult<unknown>;
  /** See {@link Contract.parseSignal}. */
  parseSignal(signal: string, value: unknown): ParseResult<unknown>;
  /** See {@link Contract.checkOutboundInput}. */
  checkOutboundInput(method: string, value: unknown): ParseResult<unknown>;
  /** See {@link Contract.checkOutboundOutput}. */
  checkOutboundOutput(method: string, value: unknown): ParseResult<unknown>;
  /** See {@link Contract.checkOutboundSignal}. */
  checkOutboundSignal(signal: string, value: unknown): ParseResult<unknown>;
  /** What streams `method` carries; `undefined` for a unary or unknown method. */
  streamOf(method: string): StreamShape | undefined;
  /** See {@link Contract.parseItem}. */
  parseItem(method: string, value: unknown): ParseResult<unknown>;
  /** See {@link Contract.parseInputItem}. */
  parseInputItem(method: string, value: unknown): ParseResult<unknown>;
  /** See {@link Contract.checkOutboundItem}. */
  checkOutboundItem(method: string, value: unknown): ParseResult<unknown>;
  /** See {@link Contract.checkOutboundInputItem}. */
  checkOutboundInputItem(method: string, value: unknown): ParseResult<unknown>;
}

/** A defined contract: its identity, its definition and the validation entry points, typed from `D`. */
export interface Contract<D extends ContractDefinition = ContractDefinition> extends AnyContract {
  /** Contract name, as defined. */
  readonly name: D["name"];
  /** Contract version, as defined. */
  readonly version: D["version"];
  /**
   * Stable 16-hex-digit hash of the name, the request and signal names, the `idempotent` flags and
   * the schemas (computed on first read). Equal fingerprints mean wire-compatible contracts.
   */
  readonly fingerprint: string;
  /** The definition passed to {@link defineContract}. */
  readonly definition: D;
  /** Resolved `validateInbound`. */
  readonly validateInbound: boolean;
  /** Resolved `validateOutbound`. */
  readonly validateOutbound: boolean;
  /** Request method names, in definition order. */
  readonly requestNames: readonly RequestName<Contract<D>>[];
  /** Signal names, in definition order. */
  readonly signalNames: readonly SignalName<Contract<D>>[];
  /** True when `method` is one of the contract's request methods (own names only). */
  hasRequest(method: string): method is RequestName<Contract<D>>;
  /** True when `signal` is one of the contract's signals (own names only). */
  hasSignal(signal: string): signal is SignalName<Contract<D>>;
  /** The method's `idempotent` flag; `false` for an unknown method. */
  isIdempotent(method: string): boolean;
  /**
   * Serving side: validates an inbound request input. Failure code `INVALID_ARGUMENT`.
   * @throws {InvalidOptionError} `INVALID_OPTION` for a method the contract lacks (check with hasRequest).
   */
  parseInput<M extends RequestName<Contract<D>>>(
    method: M,
    value: unknown,
  ): ParseResult<HandlerInput<Contract<D>, M>>;
  /**
   * Calling side: validates an inbound response output. Failure code `INVALID_RESPONSE`.
   * @throws {InvalidOptionError} `INVALID_OPTION` for a method the contract lacks.
   */
  parseOutput<M extends RequestName<Contract<D>>>(
    method: M,
    value: unknown,
  ): ParseResult<RequestOutput<Contract<D>, M>>;
  /**
   * Receiving side: validates an inbound signal payload. Failure code `INVALID_SIGNAL`.
   * @throws {InvalidOptionError} `INVALID_OPTION` for a signal the contract lacks.
   */
  parseSignal<S extends SignalName<Contract<D>>>(
    signal: S,
    value: unknown,
  ): ParseResult<SignalPayload<Contract<D>, S>>;
  /**
   * Calling side, when `validateOutbound`: checks a request input before it is sent. Succeeds with
   * the value unchanged (the wire carries the input side); failure code `INVALID_ARGUMENT`.
   */
  checkOutboundInput<M extends RequestName<Contract<D>>>(
    method: M,
    value: unknown,
  ): ParseResult<RequestInput<Contract<D>, M>>;
  /**
   * Serving side, when `validateOutbound`: checks a handler's output before it is sent. Succeeds
   * with the value unchanged; failure code `INVALID_RESPONSE`.
   */
  checkOutboundOutput<M extends RequestName<Contract<D>>>(
    method: M,
    value: unknown,
  ): ParseResult<HandlerOutput<Contract<D>, M>>;
  /**
   * Sending side, when `validateOutbound`: checks a signal payload before it is sent. Succeeds with
   * the value unchanged; failure code `INVALID_SIGNAL`.
   */
  checkOutboundSignal<S extends SignalName<Contract<D>>>(
    signal: S,
    value: unknown,
  ): ParseResult<SignalInput<Contract<D>, S>>;
  /** Calling side: validates a yielded item (`yields`). Failure code `INVALID_RESPONSE`. */
  parseItem<M extends RequestName<Contract<D>>>(
    method: M,
    value: unknown,
  ): ParseResult<RequestItem<Contract<D>, M>>;
  /** Serving side: validates a caller's item (`accepts`). Failure code `INVALID_ARGUMENT`. */
  parseInputItem<M extends RequestName<Contract<D>>>(
    method: M,
    value: unknown,
  ): ParseResult<HandlerInputItem<Contract<D>, M>>;
  /** Serving side, when `validateOutbound`: checks an item before it is sent (`INVALID_RESPONSE`). */
  checkOutboundItem<M extends RequestName<Contract<D>>>(
    method: M,
    value: unknown,
  ): ParseResult<HandlerItem<Contract<D>, M>>;
  /** Calling side, when `validateOutbound`: checks an item before it is sent (`INVALID_ARGUMENT`). */
  checkOutboundInputItem<M extends RequestName<Contract<D>>>(
    method: M,
    value: unknown,
  ): ParseResult<RequestInputItem<Contract<D>, M>>;
}

interface RequestEntry {
  readonly input: $ZodType;
  /** Absent: a stream method whose call ends with no output (only `undefined` passes). */
  readonly output: $ZodType | undefined;
  readonly yields: $ZodType | undefined;
  readonly accepts: $ZodType | undefined;
  readonly idempotent: boolean;
  readonly stream: StreamShape | undefined;
}

/**
 * Defines a contract. Handler, caller and signal types are inferred from the schemas; nothing else
 * needs a type annotation. Schemas are compiled once here (see `compileSchemas`).
 *
 * @throws {InvalidOptionError} `INVALID_OPTION` when the definition is malformed (no name, a request
 *   without zod schemas, ...); the message names the field.
 * @example
 * ```ts
 * const calculator = defineContract({
 *   name: "calculator",
 *   version: 1,
 *   requests: {
 *     add: { input: z.object({ a: z.number(), b: z.number() }), output: z.number(), idempotent: true },
 *   },
 *   signals: { reset: z.object({ reason: z.string() }) },
 * });
 * ```
 */
export function defineContract<const D extends ContractDefinition>(definition: D): Contract<D> {
  return new DefinedContract(definition) as unknown as Contract<D>;
}

// Typed loosely inside; defineContract presents it as Contract<D>, whose types come from the schemas.
class DefinedContract implements AnyContract {
  readonly name: string;
  readonly version: string | number;
  readonly definition: ContractDefinition;
  readonly validateInbound: boolean;
  readonly validateOutbound: boolean;
  readonly requestNames: readonly string[];
  readonly signalNames: readonly string[];
  readonly #requests = new Map<string, RequestEntry>();
  readonly #signals = new Map<string, $ZodType>();
  #fingerprint: string | undefined;

  constructor(definition: ContractDefinition) {
    checkDefinition(definition);
    const compiled = definition.compileSchemas ?? DEFAULT_COMPILE_SCHEMAS;
    const prepare = (schema: $ZodType, field: string) => prepareSchema(schema, field, compiled);
    this.name = definition.name;
    this.version = definition.version;
    this.definition = definition;
    this.validateInbound = definition.validateInbound ?? DEFAULT_VALIDATE_INBOUND;
    this.validateOutbound = definition.validateOutbound ?? DEFAULT_VALIDATE_OUTBOUND;
    for (const [method, request] of Object.entries(definition.requests ?? {})) {
      const optional = (schema: $ZodType | undefined, field: string) =>
        schema === undefined ? undefined : prepare(schema, `requests.${method}.${field}`);
      this.#requests.set(method, {
        input: prepare(request.input, `requests.${method}.input`),
        output: optional(request.output, "output"),
        yields: optional(request.yields, "yields"),
        accepts: optional(request.accepts, "accepts"),
        idempotent: request.idempotent === true,
        stream: streamShape(request),
      });
    }
    for (const [signal, schema] of Object.entries(definition.signals ?? {})) {
      this.#signals.set(signal, prepare(schema, `signals.${signal}`));
    }
    this.requestNames = Object.freeze([...this.#requests.keys()]);
    this.signalNames = Object.freeze([...this.#signals.keys()]);
    Object.freeze(this);
  }

  get fingerprint(): string {
    this.#fingerprint ??= contractFingerprint(this.definition);
    return this.#fingerprint;
  }

  hasRequest(method: string): method is string {
    return this.#requests.has(method);
  }

  hasSignal(signal: string): signal is string {
    return this.#signals.has(signal);
  }

  isIdempotent(method: string): boolean {
    return this.#requests.get(method)?.idempotent === true;
  }

  parseInput(method: string, value: unknown): ParseResult<unknown> {
    const { input } = this.#request(method);
    if (!this.validateInbound) return { ok: true, value };
    return this.#parse(input, value, "INVALID_ARGUMENT", method);
  }

  parseOutput(method: string, value: unknown): ParseResult<unknown> {
    const { output } = this.#request(method);
    if (!this.validateInbound) return { ok: true, value };
    return this.#parse(output ?? NOTHING, value, "INVALID_RESPONSE", method);
  }

  parseSignal(signal: string, value: unknown): ParseResult<unknown> {
    const schema = this.#signal(signal);
    if (!this.validateInbound) return { ok: true, value };
    return this.#parse(schema, value, "INVALID_SIGNAL", signal);
  }

  checkOutboundInput(method: string, value: unknown): ParseResult<unknown> {
    const { input } = this.#request(method);
    return this.#check(input, value, "INVALID_ARGUMENT", method);
  }

  checkOutboundOutput(method: string, value: unknown): ParseResult<unknown> {
    const { output } = this.#request(method);
    return this.#check(output ?? NOTHING, value, "INVALID_RESPONSE", method);
  }

  streamOf(method: string): StreamShape | undefined {
    return this.#requests.get(method)?.stream;
  }

  parseItem(method: string, value: unknown): ParseResult<unknown> {
    const { yields } = this.#request(method);
    if (!this.validateInbound && yields !== undefined) return { ok: true, value };
    return this.#parse(yields ?? NEVER, value, "INVALID_RESPONSE", method);
  }

  parseInputItem(method: string, value: unknown): ParseResult<unknown> {
    const { accepts } = this.#request(method);
    if (!this.validateInbound && accepts !== undefined) return { ok: true, value };
    return this.#parse(accepts ?? NEVER, value, "INVALID_ARGUMENT", method);
  }

  checkOutboundItem(method: string, value: unknown): ParseResult<unknown> {
    return this.#check(this.#request(method).yields ?? NEVER, value, "INVALID_RESPONSE", method);
  }

  checkOutboundInputItem(method: string, value: unknown): ParseResult<unknown> {
    return this.#check(this.#request(method).accepts ?? NEVER, value, "INVALID_ARGUMENT", method);
  }

  checkOutboundSignal(signal: string, value: unknown): ParseResult<unknown> {
    return this.#check(this.#signal(signal), value, "INVALID_SIGNAL", signal);
  }

  // The wire carries the input side of each schema, so an outbound check validates but sends the
  // value as given, not zod's (possibly transformed) output.
  #check(
    schema: $ZodType,
    value: unknown,
    code: ContractErrorCode,
    member: string,
  ): ParseResult<unknown> {
    if (!this.validateOutbound) return { ok: true, value };
    const result = this.#parse(schema, value, code, member);
    return result.ok ? { ok: true, value } : result;
  }

  #parse(
    schema: $ZodType,
    value: unknown,
    code: ContractErrorCode,
    member: string,
  ): ParseResult<unknown> {
    return checkSchema(schema, value, code, this.name, member);
  }

  #request(method: string): RequestEntry {
    const entry = this.#requests.get(method);
    if (entry === undefined) {
      throw new InvalidOptionError(
        `contract ${this.name} has no request method ${JSON.stringify(method)}`,
      );
    }
    return entry;
  }

  #signal(signal: string): $ZodType {
    const schema = this.#signals.get(signal);
    if (schema === undefined) {
      throw new InvalidOptionError(`contract ${this.name} has no signal ${JSON.stringify(signal)}`);
    }
    return schema;
  }
}
