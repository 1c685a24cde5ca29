import { integerAtLeast } from "@parley/framing/internal";

/**
 * Runs `task(0)` .. `task(count - 1)` with at most `concurrency` running at once (each worker takes
 * the next index when its task settles) and resolves with the results in index order. A task that
 * throws stops nothing: its error is rethrown once every task has settled.
 */
export async function runBounded<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  integerAtLeast("count", count, 0);
  integerAtLeast("concurrency", concurrency, 1);
  const results = new Array<T>(count);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        results[index] = await task(index);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (errors.length > 0) throw errors[0];
  return results;
}
