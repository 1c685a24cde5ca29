/**
 * A served stream method's handler is an async generator: what it throws surfaces while it is
 * iterated, after the handler has returned. The same hiding of uncoded errors as for a unary
 * handler (connection-options.ts) is applied there, on each step of the generator.
 */

/** True for what an async generator handler returns. */
export function isItemSource(value: unknown): value is AsyncGenerator<unknown, unknown, undefined> {
  const v = value as Partial<AsyncGenerator<unknown>> | null | undefined;
  return typeof v?.next === "function" && typeof v[Symbol.asyncIterator] === "function";
}

/**
 * `items`, with what it throws passed through `hide` (which throws the error to send). A thin
 * iterator rather than an async generator around it: one promise more per item, not a generator
 * step; `return()` goes straight to `items`, so its `finally` runs when the caller cancels.
 */
export function hidingErrors(
  items: AsyncGenerator<unknown, unknown, undefined>,
  hide: (error: unknown) => never,
): AsyncIterableIterator<unknown> {
  const wrapped: AsyncIterableIterator<unknown> = {
    next: () => items.next().then(undefined, hide),
    return: (value?: unknown) => items.return(value),
    throw: (error?: unknown) => items.throw(error).then(undefined, hide),
    [Symbol.asyncIterator]: () => wrapped,
  };
  return wrapped;
}
