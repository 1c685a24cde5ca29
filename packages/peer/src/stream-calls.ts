/**
 * Where a stream call starts on the caller's side: which methods of the called contract are stream
 * methods, the checks on a call of one (`stream.<method>` for a method that yields, `call.<method>`
 * with `inputs` for one that only accepts), and the {@link OutboundStream} it travels with. A call
 * refused here never reaches the wire.
 */
import type { AnyContract, StreamShape } from "@parley/codec";
import { InvalidOptionError } from "@parley/framing";
import { describe } from "@parley/framing/internal";
import { CallStreamHandle, OutboundStream } from "./outbound-stream.js";
import type { StreamInputSource } from "./stream-inputs.js";
import type { StreamContext } from "./stream-ports.js";

/** How a stream method is being called. */
export type StreamCallMode = "call" | "stream";

/** True when `contract` declares a stream method: its calls need {@link streamOfCall}. */
export function hasStreamMethods(contract: AnyContract | undefined): boolean {
  return contract?.requestNames.some((m) => contract.streamOf(m) !== undefined) ?? false;
}

/**
 * The stream a call of `method` travels with: undefined for a unary method called with `call`, an
 * Error refusing the call (INVALID_OPTION: wrong entry point, `inputs` missing or not iterable).
 */
export function streamOfCall(
  session: StreamContext,
  contract: AnyContract | undefined,
  method: string,
  options: unknown,
  mode: StreamCallMode,
): OutboundStream | Error | undefined {
  const shape = contract?.streamOf(method);
  const inputs = (options as { inputs?: unknown } | undefined)?.inputs;
  if (shape === undefined && mode === "call") {
    return inputs === undefined ? undefined : noInputs(method);
  }
  if (shape === undefined || (mode === "stream") !== shape.yields) {
    return wrongCallMode(method, shape, mode);
  }
  if (!shape.accepts) {
    return inputs === undefined
      ? new OutboundStream(session, method, shape, undefined, contract)
      : noInputs(method);
  }
  if (!isIterable(inputs)) {
    return new InvalidOptionError(
      `${method} accepts items: options.inputs must be an iterable or async iterable of them ` +
        `(got ${describe(inputs)})`,
    );
  }
  return new OutboundStream(session, method, shape, inputs, contract);
}

/** A call stream that fails at once with `error` (refused before it started). */
export function refusedStream(error: Error): CallStreamHandle {
  const result = Promise.reject(error);
  result.catch(ignore); // the loop reports it too; an unread result must not crash the process
  const items: AsyncIterableIterator<unknown> = {
    next: () => Promise.reject(error),
    return: () => Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]: () => items,
  };
  return new CallStreamHandle(items, result);
}

function noInputs(method: string): InvalidOptionError {
  return new InvalidOptionError(`${method} accepts no items: remove options.inputs`);
}

function isIterable(value: unknown): value is StreamInputSource {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  return typeof v[Symbol.asyncIterator] === "function" || typeof v[Symbol.iterator] === "function";
}

function ignore(): void {}

/** Why `method` (a stream method of `shape`, or none) cannot be called through `mode`. */
export function wrongCallMode(
  method: string,
  shape: StreamShape | undefined,
  mode: StreamCallMode,
): InvalidOptionError {
  const use = mode === "call" ? "stream" : "call";
  const what =
    shape === undefined ? "is not a stream method" : shape.yields ? "yields items" : "yields none";
  return new InvalidOptionError(`${method} ${what}: call it with ${use}.${method}()`);
}
