/**
 * Stream calls of a client (docs/protocol.md §12): `client.stream.<method>(input, options)` for
 * the methods that yield, and the client-stream path of `client.call.<method>(input, { inputs })`.
 *
 * Before anything is sent they behave as unary calls do: a `parent` bounds their deadline and
 * cancels them with it, and while the client is reconnecting they wait for the next connection
 * within their deadline (`options.timeoutMs`, else the method's contract `timeoutMs`) and signal,
 * or fail at once with `NOT_CONNECTED` when `waitForConnection` is false. `client.stream` returns
 * its iterable at once and waits inside it (waiting-stream.ts). Once the Request is written a
 * stream is never retried: its items cannot be replayed (gRPC, too, waits while connecting but
 * never retries a stream once a message has flowed). A call refused at once leaves its inputs
 * unread, for a retry; one that ends after it started waiting closes them.
 */
import type { AnyContract, CallStream, ContractStreamCaller } from "@parley/codec";
import type { CallOptions, Peer } from "@parley/peer";
import { createNameProxy, monotonicNow } from "@parley/peer/internal";
import type { ClientCallOptions } from "./client-options.js";
import { NotConnectedError } from "./errors.js";
import { inheritParent } from "./parent-call.js";
import { closeInputs, WaitingStream } from "./waiting-stream.js";

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
  /** `waitForConnection`: wait for a connection while reconnecting, or refuse at once. */
  readonly waitsForConnection: boolean;
}

/** The stream calls of one client: its `stream` proxy and its `call`s of client-stream methods. */
export class ClientStreams<C extends AnyContract> {
  /** The contract's stream methods (those that declare `yields` or `accepts`). */
  private readonly methods: ReadonlySet<string>;

  constructor(
    private readonly host: StreamHost,
    private readonly contract: C,
  ) {
    this.methods = new Set(contract.requestNames.filter((m) => contract.streamOf(m) !== undefined));
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
    if (!this.host.waitsForConnection) return Promise.reject(notConnected());
    const deadline = this.deadlineOf(method, prepared);
    return this.host.waitForPeer(deadline, prepared?.signal).then(
      (ready) => ready.request(method as never, input as never, remaining(prepared, deadline)),
      (error: unknown) => {
        // Waiting took the inputs: an ended call closes them, as the engine does for one sent.
        closeInputs(inputsOf(prepared));
        throw error;
      },
    );
  }

  /** The typed `client.stream` proxy: one function per method that yields. */
  caller(): ContractStreamCaller<C, ClientCallOptions> {
    const names = this.contract.requestNames.filter((m) => this.contract.streamOf(m)?.yields);
    return createNameProxy(
      (method, input, options) => this.stream(method, input, options as ClientCallOptions),
      names,
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
    if (!this.host.waitsForConnection) return failedStream(notConnected());
    const deadline = this.deadlineOf(method, prepared);
    return new WaitingStream(
      (signal) => this.host.waitForPeer(deadline, signal),
      (ready) => openerOf(ready, method)(input, remaining(prepared, deadline)),
      inputsOf(prepared),
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

  /** When a call waiting for a connection gives up: a `performance.now()` time (maybe Infinity). */
  private deadlineOf(method: string, options: CallOptions | undefined): number {
    return monotonicNow() + (options?.timeoutMs ?? this.timeoutOf(method));
  }

  /** The method's contract deadline (a stream method always states one; Infinity for none). */
  private timeoutOf(method: string): number {
    return this.contract.streamOf(method)?.timeoutMs ?? Number.POSITIVE_INFINITY;
  }
}

/** The options of a call sent after waiting: what is left of its deadline. */
function remaining(options: CallOptions | undefined, deadline: number): CallOptions | undefined {
  if (!Number.isFinite(deadline)) return options;
  return { ...options, timeoutMs: Math.max(1, deadline - monotonicNow()) };
}

function openerOf(peer: AnyPeer, method: string): StreamOpener {
  return (peer.stream as unknown as Record<string, StreamOpener>)[method]!;
}

function inputsOf(options: CallOptions | undefined): unknown {
  return (options as { inputs?: unknown } | undefined)?.inputs;
}

function notConnected(): NotConnectedError {
  return new NotConnectedError(
    "client is reconnecting and waitForConnection is false; the stream call was not sent and " +
      "its inputs were not read",
  );
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
