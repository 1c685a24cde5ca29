/**
 * A served stream method's handler is an async generator: what it throws surfaces while it is
 * iterated, after the handler has returned. The same hiding of uncoded errors as for a unary
 * handler (connection-options.ts) is applied there, by delegating to the generator (`yield*` passes
 * `return()` through, so its `finally` still runs when the caller cancels).
 */

/** True for what an async generator handler returns. */
export function isItemSource(value: unknown): value is AsyncGenerator<unknown, unknown, undefined> {
  const v = value as Partial<AsyncGenerator<unknown>> | null | undefined;
  return typeof v?.next === "function" && typeof v[Symbol.asyncIterator] === "function";
}

/** `items`, with what it throws passed through `hide` (which throws the error to send). */
export async function* hidingErrors(
  items: AsyncGenerator<unknown, unknown, undefined>,
  hide: (error: unknown) => never,
): AsyncGenerator<unknown, unknown, undefined> {
  try {
    return yield* items;
  } catch (error) {
    return hide(error);
  }
}
