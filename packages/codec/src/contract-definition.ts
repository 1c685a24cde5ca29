/**
 * Checks a contract definition when it is defined, and prepares its schemas (compiled once), so
 * mistakes surface at startup with the field named rather than at the first call.
 */

import { InvalidOptionError } from "@parley/framing";
import { describe, MAX_TIMER_MS } from "@parley/framing/internal";
import {
  type $ZodType,
  compile,
  ZodCompileAsyncError,
  ZodCompileUnsupportedError,
} from "zod/v4/core";
import type { ContractDefinition, RequestDefinition } from "./contract-types.js";

/** Returns the schema the contract parses with: compiled with zod's `compile()` when `compiled`. */
export function prepareSchema(schema: $ZodType, field: string, compiled: boolean): $ZodType {
  return compiled ? compileSchema(schema, field) : schema;
}

// Strict first: it reports async refinements and transforms, which a synchronous parse at the
// boundary cannot run; a schema the fast path cannot fully model compiles leniently (zod then runs
// the parts it cannot model through its ordinary parser).
function compileSchema(schema: $ZodType, field: string): $ZodType {
  try {
    return compile(schema, { strict: true });
  } catch (error) {
    if (error instanceof ZodCompileAsyncError) {
      throw new InvalidOptionError(
        `${field} is asynchronous (${error.message}); contract schemas must be synchronous`,
        { cause: error },
      );
    }
    if (error instanceof ZodCompileUnsupportedError) return compile(schema);
    throw error;
  }
}

/**
 * Throws `INVALID_OPTION` naming the field unless the definition is well formed: a name, a version,
 * boolean flags, and zod schemas for every request input and output and every signal.
 */
export function checkDefinition(definition: ContractDefinition): void {
  if (typeof definition !== "object" || definition === null) {
    throw new InvalidOptionError("defineContract needs a definition object");
  }
  if (typeof definition.name !== "string" || definition.name === "") {
    throw new InvalidOptionError("name must be a non-empty string");
  }
  const version = definition.version as unknown;
  if (!(typeof version === "string" && version !== "") && !Number.isFinite(version)) {
    throw new InvalidOptionError("version must be a non-empty string or a finite number");
  }
  for (const flag of ["validateInbound", "validateOutbound", "compileSchemas"] as const) {
    const value = definition[flag] as unknown;
    if (value !== undefined && typeof value !== "boolean") {
      throw new InvalidOptionError(`${flag} must be true or false (got ${JSON.stringify(value)})`);
    }
  }
  for (const [method, request] of entriesOf("requests", definition.requests)) {
    if (typeof request !== "object" || request === null) {
      throw new InvalidOptionError(
        `requests.${method} must be an object with input and output (or yields/accepts) schemas`,
      );
    }
    checkSchema(`requests.${method}.input`, request.input);
    checkStreamFields(method, request);
    const idempotent = request.idempotent as unknown;
    if (idempotent !== undefined && typeof idempotent !== "boolean") {
      throw new InvalidOptionError(`requests.${method}.idempotent must be true or false`);
    }
  }
  for (const [signal, schema] of entriesOf("signals", definition.signals)) {
    checkSchema(`signals.${signal}`, schema);
  }
}

/**
 * `output` is required of a unary method and optional for a stream method (one that declares
 * `yields` or `accepts`), which must state its own `timeoutMs`: a stream has no default deadline.
 */
function checkStreamFields(method: string, request: RequestDefinition): void {
  const field = `requests.${method}`;
  const streaming = request.yields !== undefined || request.accepts !== undefined;
  if (request.yields !== undefined) checkSchema(`${field}.yields`, request.yields);
  if (request.accepts !== undefined) checkSchema(`${field}.accepts`, request.accepts);
  if (!streaming || request.output !== undefined) checkSchema(`${field}.output`, request.output);
  const timeoutMs = request.timeoutMs as unknown;
  if (!streaming) {
    if (timeoutMs !== undefined) {
      throw new InvalidOptionError(
        `${field}.timeoutMs is for stream methods (with yields or accepts); a unary call takes its deadline from the call's timeoutMs option`,
      );
    }
    return;
  }
  if (!isStreamTimeout(timeoutMs)) {
    throw new InvalidOptionError(
      `${field}.timeoutMs must be a number from 1 to ${MAX_TIMER_MS}, or Infinity for no deadline (got ${describe(timeoutMs)}); a stream method states its own deadline`,
    );
  }
}

/** A stream method's deadline: 1 to 2^31 - 1 ms (a Node.js timer), or `Infinity`. */
function isStreamTimeout(value: unknown): value is number {
  if (value === Number.POSITIVE_INFINITY) return true;
  return typeof value === "number" && Number.isFinite(value) && value >= 1 && value <= MAX_TIMER_MS;
}

function entriesOf<T>(
  field: string,
  map: { readonly [name: string]: T } | undefined,
): [string, T][] {
  if (map === undefined) return [];
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    throw new InvalidOptionError(`${field} must be an object keyed by name`);
  }
  const entries = Object.entries(map);
  for (const [name] of entries) {
    if (name === "") throw new InvalidOptionError(`${field} has an empty name`);
  }
  return entries;
}

// Duck-typed rather than instanceof, so schemas from another copy of zod 4 (or zod/mini) pass.
function checkSchema(field: string, schema: unknown): void {
  const internals = (schema as { _zod?: { def?: unknown } } | null)?._zod;
  if (typeof schema !== "object" || typeof internals !== "object" || internals?.def === undefined) {
    // zod 3 schemas carry `_def` and `safeParse` but no `_zod`: say which version is needed.
    const zod3 = typeof (schema as { _def?: unknown } | null)?._def === "object";
    throw new InvalidOptionError(
      zod3
        ? `${field} is a zod 3 schema; Parley needs zod 4 (npm install zod@^4, import { z } from "zod")`
        : `${field} must be a zod schema (got ${typeof schema})`,
    );
  }
}
