/**
 * A stream call's inputs (the caller's items): any iterable, sync or async. The engine makes their
 * iterator as the call starts and owns them from then on: it reads them under credit
 * (item-pump.ts) and closes them when the call ends first, so their producer's `finally` runs.
 */
import { releaseSource, type Source } from "./item-pump.js";

/**
 * The inputs a wrapper stands for (a client's waiting call hands the engine a wrapper that notes
 * when its iterator is taken): {@link closeUnread} closes those, not the wrapper.
 */
export const INPUTS_SOURCE: unique symbol = Symbol("parley inputs source");

/** The caller's items of a call: any (async) iterable. */
export type StreamInputSource = AsyncIterable<unknown> | Iterable<unknown>;

/** True for what can be a call's inputs: an object with an async or a sync iterator. */
export function isIterable(value: unknown): value is StreamInputSource {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  return typeof v[Symbol.asyncIterator] === "function" || typeof v[Symbol.iterator] === "function";
}

/** The inputs' iterator: the async one when they have both. May throw (a locked ReadableStream). */
export function iteratorOf(source: StreamInputSource): Source {
  const s = source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  const asyncIterator = s[Symbol.asyncIterator];
  if (typeof asyncIterator === "function") return asyncIterator.call(source);
  return (source as Iterable<unknown>)[Symbol.iterator]();
}

/**
 * Closes inputs whose iterator was made and never read: its `return()`, and for a Node.js
 * Readable (a file stream) `destroy()` too, since the `return()` of an iterator not yet started
 * leaves the stream open (its iterator is a generator that has not run), where one under way
 * destroys it.
 */
export function closeUnread(inputs: StreamInputSource, iterator: Source): void {
  releaseSource(iterator);
  const wrapped = (inputs as { [INPUTS_SOURCE]?: unknown })[INPUTS_SOURCE];
  const stream = (wrapped ?? inputs) as { destroy?: unknown; pipe?: unknown; destroyed?: unknown };
  if (
    typeof stream.destroy === "function" &&
    typeof stream.pipe === "function" &&
    stream.destroyed === false
  ) {
    (stream.destroy as () => void).call(stream);
  }
}

/**
 * Closes inputs no call took (anything else is left alone): their iterator's `return()` (a
 * generator's `finally`), and a Node.js Readable's `destroy()` (see {@link closeUnread}).
 */
export function closeInputs(inputs: unknown): void {
  if (!isIterable(inputs)) return;
  let iterator: Source;
  try {
    iterator = iteratorOf(inputs);
  } catch {
    return; // An iterable that throws when asked for its iterator has nothing to close.
  }
  closeUnread(inputs, iterator);
}
