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
import { isIterable, type StreamInputSource } from "./stream-inputs.js";
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
  const refused = streamCallRefusal(contract, method, options, mode);
  if (refused !== undefined) return refused;
  const shape = contract?.streamOf(method);
  if (shape === undefined) return undefined;
  const inputs = (options as { inputs?: StreamInputSource } | undefined)?.inputs;
  return new OutboundStream(session, method, shape, shape.accepts ? inputs : undefined, contract);
}

/**
 * Why a call of `method` through `mode` is refused (INVALID_OPTION), or undefined: the checks of
 * {@link streamOfCall}, for a caller that must refuse before it has a connection (a client waiting
 * for one refuses as a connected one does).
 */
export function streamCallRefusal(
  contract: AnyContract | undefined,
  method: string,
  options: unknown,
  mode: StreamCallMode,
): InvalidOptionError | undefined {
  const shape = contract?.streamOf(method);
  const inputs = (options as { inputs?: unknown } | undefined)?.inputs;
  if (shape === undefined && mode === "call") {
    return inputs === undefined ? undefined : noInputs(method);
  }
  if (shape === undefined || (mode === "stream") !== shape.yields) {
    return wrongCallMode(method, shape, mode);
  }
  if (!shape.accepts) return inputs === undefined ? undefined : noInputs(method);
  if (isIterable(inputs)) return undefined;
  return new InvalidOptionError(
    `${method} accepts items: options.inputs must be an iterable or async iterable of them ` +
      `(got ${describe(inputs)})`,
  );
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
