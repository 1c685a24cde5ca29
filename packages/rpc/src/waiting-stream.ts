/**
 * A stream call made while the client reconnects. `client.stream.<method>()` returns its iterable
 * at once, so the wait happens inside it: it waits for the next connection (within the call's
 * deadline and signal, as a unary call does) and only then writes the Request, on that connection.
 * Until then nothing is sent, and after that it is the engine's stream, never retried.
 *
 * Ending it before it is sent settles `result` once, with the wait's error (`CANCELLED` for a
 * `break`, `return()` or the signal; `DEADLINE_EXCEEDED` for the deadline; `CLIENT_CLOSED` or the
 * client's failure), and closes the inputs (`return()`), so their producer's `finally` runs, as it
 * does when a stream under way ends early. So does the engine refusing it on the new connection
 * before the Request is written (unsent-inputs.ts).
 *
 * ```
 *   waiting ──connection up──> open: the engine's stream (items, Cancel on break, result)
 *      │                          └── refused before the Request: result rejects, inputs closed
 *      └── break / signal / deadline / client closed: result rejects, inputs closed, nothing sent
 * ```
 */
import type { AnyContract, CallStream } from "@parley/codec";
import { CancelledError, type Peer } from "@parley/peer";
import { linkSignals } from "@parley/peer/internal";
import type { UnsentInputs } from "./unsent-inputs.js";

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
   * then starts the call on it, sending `inputs.forEngine()`. `inputs` are the caller's items,
   * closed when the call ends unsent.
   */
  constructor(
    wait: (signal: AbortSignal | undefined) => Promise<AnyPeer>,
    private readonly open: (peer: AnyPeer) => CallStream<unknown, unknown>,
    private readonly inputs: UnsentInputs,
    signal: AbortSignal | undefined,
  ) {
    this.opening = wait(linkSignals(signal, this.stop.signal)).then(
      (peer) => this.start(peer),
      (error: unknown) => {
        throw this.unsent(error);
      },
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
      throw this.unsent(
        new CancelledError("the stream call was cancelled before it was sent", {
          notExecuted: true,
        }),
      );
    }
    this.started = this.open(peer);
    this.items = this.started[Symbol.asyncIterator]();
    // If the engine refuses it before the Request is written it never takes the inputs: close
    // them then (a no-op once the engine has taken them; it closes those itself).
    this.started.result.catch(() => this.inputs.close());
  }

  /** Closes the inputs of a call that ends unsent; gives back `error`, for the caller to throw. */
  private unsent(error: unknown): unknown {
    this.inputs.close();
    return error;
  }
}

function noop(): void {}
