/**
 * What a caller is told when its call fails on this side, and the frame that tells it. Two rules:
 * - a handler's failure goes through the `handlerError` hook, which may hide an uncoded error's
 *   text (a hook that throws hides all of it), and so does an output that fails to encode: both
 *   are the handler's failure, and may carry this side's internals;
 * - the frame stays within the caller's `maxFrameBytes`, as every frame must (protocol.md §9): an
 *   error too large (a long message, large `data`) is sent shortened, never as a frame the caller
 *   would take for a protocol error that ends its connection and every call on it.
 */
import { toWireError, type WireError } from "@parley/codec";
import type { HandlerErrorHook } from "./peer-types.js";
import type { Frame } from "./split-frame.js";
import { Kind, type ResponseStatus } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";

/** Characters of an error's message kept when the whole error does not fit the caller's frames. */
const SHORT_MESSAGE_CHARS = 1_024;

/** What the caller is told of `error`, a failure of `method`'s handler. */
export function toldOf(
  error: unknown,
  method: string,
  hook: HandlerErrorHook | undefined,
  warn: (message: string, error?: unknown) => void,
): WireError {
  if (hook === undefined) return toWireError(error);
  try {
    return toWireError(hook(error, method));
  } catch (hookError) {
    warn(`handlerError threw while reporting a failure of ${method}; sent INTERNAL`, hookError);
    return { code: "INTERNAL", message: `${method} failed` };
  }
}

/**
 * The ERROR or REJECTED Response of call `id` carrying `error`: whole if it fits the caller's
 * frames and the codec carries its `data`, else its code and the start of its message, else a
 * bare MESSAGE_TOO_LARGE.
 */
export function errorResponse(
  wire: WireFormat,
  id: number,
  status: ResponseStatus,
  error: WireError,
): Frame {
  const frame = (body: WireError) => wire.encodeFrame({ kind: Kind.Response, id, status, body });
  try {
    return frame(error);
  } catch {
    // Too large, or `data` the codec cannot carry.
  }
  const message =
    error.message.length > SHORT_MESSAGE_CHARS
      ? `${error.message.slice(0, SHORT_MESSAGE_CHARS)}... (cut: the error was larger than the caller's maxFrameBytes)`
      : error.message;
  try {
    return frame({ code: error.code, message });
  } catch {
    const bare = { code: "MESSAGE_TOO_LARGE", message: "the error was too large to send" };
    return wire.encode({ kind: Kind.Response, id, status, body: bare });
  }
}
