/**
 * What a stream method carries, read once from its definition, and the schemas that stand in for a
 * stream a method does not declare (so a stray item or output fails validation like any bad value).
 */

import { _never, _undefined, $ZodNever, $ZodUndefined } from "zod/v4/core";
import type { RequestDefinition } from "./contract-types.js";
import { type Json, wireSchema } from "./fingerprint.js";

/** The streams of a stream method, from its definition. */
export interface StreamShape {
  /** The handler sends items (`yields` declared). */
  readonly yields: boolean;
  /** The caller sends items (`accepts` declared). */
  readonly accepts: boolean;
  /** The call's deadline in milliseconds; `Infinity`: none. */
  readonly timeoutMs: number;
}

/** The output of a stream method that declares none: only `undefined` passes. */
export const NOTHING = _undefined($ZodUndefined, "this method ends with no output");
/** The items of a method that carries none that way: nothing passes. */
export const NEVER = _never($ZodNever, "this method carries no items this way");
/**
 * {@link NOTHING} as the schema checks compare it: a stream method's missing output is compared as
 * what it is at run time (only `undefined`), not as a missing schema (anything).
 */
export const NO_OUTPUT_SCHEMA: Json = wireSchema(NOTHING);

/** The method's {@link StreamShape}; `undefined` for a unary method. */
export function streamShape(request: RequestDefinition): StreamShape | undefined {
  if (request.yields === undefined && request.accepts === undefined) return undefined;
  return Object.freeze({
    yields: request.yields !== undefined,
    accepts: request.accepts !== undefined,
    // checkDefinition has made sure a stream method states it.
    timeoutMs: request.timeoutMs as number,
  });
}
