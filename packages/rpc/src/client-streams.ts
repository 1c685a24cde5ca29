/**
 * Stream calls of a client (docs/protocol.md §12): `client.stream.<method>(input, options)` for
 * the methods that yield, and the client-stream path of `client.call.<method>(input, { inputs })`.
 *
 * Before anything is sent they behave as unary calls do: a `parent` bounds their deadline and
 * cancels them with it, and while the client is reconnecting they wait for the next connection
 * within their deadline (`options.timeoutMs`, else the method's contract `timeoutMs`) and signal,
 * or fail at once with `NOT_CONNECTED` when `waitForConnection` is false. Their options pass the
 * engine's own check before any wait, so a bad one fails with the same `INVALID_OPTION` connected
 * or not. `client.stream` returns its iterable at once and waits inside it (waiting-stream.ts).
 * Once the Request is written a stream is never retried: its items cannot be replayed (gRPC, too,
 * waits while connecting but never retries a stream once a message has flowed). A call refused at
 * once leaves its inputs unread, for a retry; one that ends unsent after it started waiting, the
 * engine refusing it on the new connection included, closes them (unsent-inputs.ts).
 */
import type { AnyContract, CallStream, ContractStreamCaller } from "@parley/codec";
import type { CallOptions, Peer } from "@parley/peer";
import {
  checkCallOptions,
  createNameProxy,
  monotonicNow,
  streamCallRefusal,
  wrongCallMode,
} from "@parley/peer/internal";
import type { ClientCallOptions } from "./client-options.js";
import { inheritParent } from "./parent-call.js";
import { UnsentInputs } from "./unsent-inputs.js";
import { WaitingStream } from "./waiting-stream.js";

type AnyPeer = Peer<undefined, AnyContract>;
type StreamOpener = (input: unknown, options: unknown) => CallStream<unknown, unknown>;

/** What a stream call needs of its client. */
export interface StreamHost {
  /** The live peer, when connected. */
  pick(): AnyPeer | undefined;
  /** Why the client takes no call now (closing, closed, failed), or undefined. */
  refusal(): Error | undefined;
  /** A peer once one is up, within `deadline` (a `performance.now()` time) and `signal`. */
  waitForPeer(deadline: number, signal: AbortSignal | undefined): Promise<AnyPeer>;
  /** `NOT_CONNECTED` when a call must not wait for a connection (`waitForConnection` false). */
  notConnected(): Error | undefined;
}

/** The stream calls of one client: its `stream` proxy and its `call`s of client-stream methods. */
export class ClientStreams<C extends AnyContract> {
  /** The contract's stream methods (those that declare `yields` or `accepts`). */
  private readonly methods: ReadonlySet<string>;
  /** The methods that yield: the only ones `client.stream` sends. */
  private readonly yielding: ReadonlySet<string>;

  constructor(
    private readonly host: StreamHost,
    private readonly contract: C,
  ) {
    this.methods = new Set(contract.requestNames.filter((m) => contract.streamOf(m) !== undefined));
    this.yielding = new Set(contract.requestNames.filter((m) => contract.streamOf(m)?.yields));
  }

  /** True when `method` streams: its calls go through {@link ClientStreams.call}. */
  has(method: string): boolean {
    return this.methods.has(method);
  }

  /** `client.call.<method>` of a stream method: sent once, on the live or the next connection. */
  call(method: string, input: unknown, options: ClientCallOptions | undefined): Promise<unknown> {
    const prepared = this.prepare(method, options);
    if (prepared instanceof Error) return Promise.reject(prepared);
    const peer = this.host.pick();
    if (peer !== undefined) return peer.request(method as never, input as never, prepared);
    const refused = this.beforeWaiting(method, prepared, "call");
    if (refused !== undefined) return Promise.reject(refused);
    const deadline = this.deadlineOf(method, prepared);
    const inputs = new UnsentInputs(inputsOf(prepared));
    return this.host
      .waitForPeer(deadline, prepared?.signal)
      .then((ready) =>
        ready.request(method as never, input as never, sent(prepared, deadline, inputs)),
      )
      .catch((error: unknown) => {
        // Waiting took the inputs: a call that ends unsent closes them, as the engine does for one
        // under way (a call the engine started reading is left to it).
        inputs.close();
        throw error;
      });
  }

  /** The typed `client.stream` proxy: one function per method that yields. */
  caller(): ContractStreamCaller<C, ClientCallOptions> {
    return createNameProxy(
      (method, input, options) => this.stream(method, input, options as ClientCallOptions),
      [...this.yielding],
    ) as unknown as ContractStreamCaller<C, ClientCallOptions>;
  }

  private stream(
    method: string,
    input: unknown,
    options: ClientCallOptions | undefined,
  ): CallStream<unknown, unknown> {
    const prepared = this.prepare(method, options);
    if (prepared instanceof Error) return failedStream(prepared);
    const peer = this.host.pick();
    if (peer !== undefined) return openerOf(peer, method)(input, prepared);
    // A name that yields nothing is refused at once, as the engine refuses it when connected.
    if (!this.yielding.has(method)) {
      return failedStream(wrongCallMode(method, this.contract.streamOf(method), "stream"));
    }
    const refused = this.beforeWaiting(method, prepared, "stream");
    if (refused !== undefined) return failedStream(refused);
    const deadline = this.deadlineOf(method, prepared);
    const inputs = new UnsentInputs(inputsOf(prepared));
    return new WaitingStream(
      (signal) => this.host.waitForPeer(deadline, signal),
      (ready) => openerOf(ready, method)(input, sent(prepared, deadline, inputs)),
      inputs,
      prepared?.signal,
    );
  }

  /** The client's refusal, or the options with `parent`'s deadline and signal carried in. */
  private prepare(
    method: string,
    options: ClientCallOptions | undefined,
  ): CallOptions | undefined | Error {
    const refused = this.host.refusal();
    if (refused !== undefined) return refused;
    if (options?.parent === undefined) return options;
    return inheritParent(options.parent, options, this.timeoutOf(method));
  }

  /**
   * Why a call about to wait for a connection must not: the engine's verdicts on its options and
   * on its call mode and inputs (so a bad one fails at once, as it does connected, where the
   * engine makes them) or `NOT_CONNECTED`.
   */
  private beforeWaiting(
    method: string,
    options: CallOptions | undefined,
    mode: "call" | "stream",
  ): Error | undefined {
    return (
      checkCallOptions(method, undefined, options, undefined, undefined) ??
      streamCallRefusal(this.contract, method, options, mode) ??
      this.host.notConnected()
    );
  }

  /** When a call waiting for a connection gives up: a `performance.now()` time (maybe Infinity). */
  private deadlineOf(method: string, options: CallOptions | undefined): number {
    return monotonicNow() + (options?.timeoutMs ?? this.timeoutOf(method));
  }

  /**
   * The method's contract deadline: a stream method always states one (Infinity for none). A name
   * that is no stream method reaches here only through `client.stream` with a `parent`, before it
   * is refused: it gets none.
   */
  private timeoutOf(method: string): number {
    return this.contract.streamOf(method)?.timeoutMs ?? Number.POSITIVE_INFINITY;
  }
}

/** The options of a call sent after waiting: what is left of its deadline, and its inputs. */
function sent(
  options: CallOptions | undefined,
  deadline: number,
  inputs: UnsentInputs,
): CallOptions {
  const timeoutMs =
    deadline === Number.POSITIVE_INFINITY
      ? options?.timeoutMs
      : Math.max(1, deadline - monotonicNow());
  return { ...options, timeoutMs, inputs: inputs.forEngine() } as CallOptions;
}

function openerOf(peer: AnyPeer, method: string): StreamOpener {
  return (peer.stream as unknown as Record<string, StreamOpener>)[method]!;
}

function inputsOf(options: CallOptions | undefined): unknown {
  return (options as { inputs?: unknown } | undefined)?.inputs;
}

/** A stream refused before it started: the loop throws `error`, `result` rejects with it. */
function failedStream(error: Error): CallStream<unknown, unknown> {
  const result = Promise.reject(error);
  result.catch(() => {}); // the loop reports it too; an unread result must not crash the process
  return {
    result,
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(error),
      return: () => Promise.resolve({ done: true, value: undefined }),
    }),
  };
}
