/**
 * Telling a promise (or any thenable) from a plain value, for the places that answer a sync
 * result without a promise hop: handlers, item sources, verifiers.
 */

/** True for a value with a `then` method: awaiting it would wait. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}
