/** A promise you can open from outside, for holding handlers in flight. */
export class Latch<T = void> {
  readonly promise: Promise<T>;
  open!: (value: T) => void;
  constructor() {
    this.promise = new Promise<T>((resolve) => {
      this.open = resolve;
    });
  }
}

/** Polls `condition` (each macrotask) until true; throws after `timeoutMs`. For waiting, not timing. */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; retryable?: boolean; notExecuted?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the promise to reject");
}

/** The `code` of an error-like value (undefined when it has none). */
export function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}
