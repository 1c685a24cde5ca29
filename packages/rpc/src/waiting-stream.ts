/**
 * A stream call made while the client reconnects. `client.stream.<method>()` returns its iterable
 * at once, so the wait happens inside it: it waits for the next connection (within the call's
 * deadline and signal, as a unary call does) and only then writes the Request, on that connection.
 * Until then nothing is sent, and after that it is the engine's stream, never retried.
 *
 * Ending it before it is sent settles `result` once, with the wait's error (`CANCELLED` for a
 * `break`, `return()` or the signal; `DEADLINE_EXCEEDED` for the deadline; `CLIENT_CLOSED` or the
 * client's failure), and closes the inputs (`return()`), so their producer's `finally` runs, as it
 * does when a stream under way ends early.
 *
 * ```
 *   waiting ──connection up──> open: the engine's stream (items, Cancel on break, result)
 *      └── break / signal / deadline / client closed: result rejects, inputs closed, nothing sent
 * ```
 */
import type { AnyContract, CallStream } from "@parley/codec";
import { CancelledError, type Peer } from "@parley/peer";
import { linkSignals } from "@parley/peer/internal";

type AnyPeer = Peer<undefined, AnyContract>;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** The items and `result` of a stream call that waits for a connection before it is sent. */
export class WaitingStream implements CallStream<unknown, unknown>, AsyncIterator<unknown> {
  readonly result: Promise<unknown>;
  /** The engine's stream, once the Request is written. */
  private started: CallStream<unknown, unknown> | undefined;
  private items: AsyncIterator<unknown> | undefined;
  private readonly opening: Promise<unknown>;
  /** Aborts the wait when the caller stops reading before the stream is sent. */
  private readonly stop = new AbortController();

  /**
   * `wait` resolves with a peer once one is up, within the call's deadline and `signal`; `open`
   * then starts the call on it. `inputs` are the caller's items, closed when the call ends unsent.
   */
  constructor(
    wait: (signal: AbortSignal | undefined) => Promise<AnyPeer>,
    private readonly open: (peer: AnyPeer) => CallStream<unknown, unknown>,
    private readonly inputs: unknown,
    signal: AbortSignal | undefined,
  ) {
    this.opening = wait(linkSignals(signal, this.stop.signal)).then(
      (peer) => this.start(peer),
      (error: unknown) => this.fail(error),
    );
    this.result = this.opening.then(() => this.started!.result);
    this.result.catch(noop); // the loop reports it too; an unread result must not crash the process
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.items !== undefined) return this.items.next();
    if (this.stop.signal.aborted) return Promise.resolve(DONE);
    return this.opening.then(() => this.items!.next());
  }

  /** A `break` (or `return()`): Cancel once sent; before that the wait ends and nothing is sent. */
  return(value?: unknown): Promise<IteratorResult<unknown>> {
    if (this.items !== undefined) return this.items.return?.(value) ?? Promise.resolve(DONE);
    this.stop.abort();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private start(peer: AnyPeer): void {
    // The caller may have stopped after the connection came but before this ran.
    if (this.stop.signal.aborted) {
      this.fail(
        new CancelledError("the stream call was cancelled before it was sent", {
          notExecuted: true,
        }),
      );
    }
    this.started = this.open(peer);
    this.items = this.started[Symbol.asyncIterator]();
  }

  private fail(error: unknown): never {
    closeInputs(this.inputs);
    throw error;
  }
}

/** Runs `return()` of the inputs' iterator (a generator's `finally`), if it has one. */
export function closeInputs(inputs: unknown): void {
  const source = inputs as Partial<AsyncIterable<unknown> & Iterable<unknown>> | undefined;
  if (source === null || typeof source !== "object") return;
  const make = (source[Symbol.asyncIterator] ?? source[Symbol.iterator]) as
    | ((this: unknown) => AsyncIterator<unknown> | Iterator<unknown>)
    | undefined;
  if (typeof make !== "function") return;
  try {
    const iterator = make.call(source);
    Promise.resolve(iterator.return?.()).catch(noop);
  } catch {
    // An iterable that throws when asked for its iterator has nothing to close.
  }
}

function noop(): void {}
