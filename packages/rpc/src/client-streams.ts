/**
 * Stream calls of a client (docs/protocol.md §12): `client.stream.<method>(input, options)` for
 * the methods that yield, and the client-stream path of `client.call.<method>(input, { inputs })`.
 * A stream goes out on the live connection only and is never retried: its items cannot be replayed
 * (gRPC does not retry a stream once it has sent or received a message either). While the client
 * is reconnecting a stream call fails with NOT_CONNECTED.
 */
import type { AnyContract, CallStream, ContractStreamCaller } from "@parley/codec";
import type { Peer } from "@parley/peer";
import { createNameProxy } from "@parley/peer/internal";
import type { ClientCallOptions } from "./client-options.js";
import { ClientClosedError, NotConnectedError } from "./errors.js";

/** What a stream call needs of its client. */
export interface StreamHost {
  /** The live peer, when connected. */
  readonly peer: Peer<undefined, AnyContract> | undefined;
  readonly state: string;
}

/** The names of the methods of `contract` that stream (declare `yields` or `accepts`). */
export function streamMethodNames(contract: AnyContract): ReadonlySet<string> {
  return new Set(contract.requestNames.filter((m) => contract.streamOf(m) !== undefined));
}

/** `client.call.<method>` of a method that accepts items: once, on the live connection. */
export function callStream(
  host: StreamHost,
  method: string,
  input: unknown,
  options: ClientCallOptions | undefined,
): Promise<unknown> {
  const peer = livePeer(host);
  if (peer instanceof Error) return Promise.reject(peer);
  return peer.request(method as never, input as never, engineOptions(options));
}

/** The typed `client.stream` proxy: one function per method that yields. */
export function createStreamCaller<C extends AnyContract>(
  host: StreamHost,
  contract: C,
): ContractStreamCaller<C, ClientCallOptions> {
  const names = contract.requestNames.filter((m) => contract.streamOf(m)?.yields === true);
  return createNameProxy((method, input, options) => {
    const peer = livePeer(host);
    if (peer instanceof Error) return failedStream(peer);
    const streams = peer.stream as Record<
      string,
      (i: unknown, o: unknown) => CallStream<unknown, unknown>
    >;
    return streams[method]!(input, engineOptions(options as ClientCallOptions | undefined));
  }, names) as unknown as ContractStreamCaller<C, ClientCallOptions>;
}

function livePeer(host: StreamHost): Peer<undefined, AnyContract> | Error {
  if (host.state === "closing" || host.state === "closed") return new ClientClosedError();
  const peer = host.peer;
  if (peer !== undefined) return peer;
  return new NotConnectedError(
    "client is not connected; stream calls go out on a live connection only and are never " +
      "retried (their items cannot be replayed); the call was not sent",
  );
}

/** The engine's options: a `parent` call's deadline and signal bound the stream as they do a call. */
function engineOptions(options: ClientCallOptions | undefined): ClientCallOptions | undefined {
  if (options?.parent === undefined) return options;
  const { parent, ...rest } = options;
  const remainingMs = Math.max(1, Math.floor(parent.remainingMs()));
  const signal =
    rest.signal === undefined ? parent.signal : AbortSignal.any([rest.signal, parent.signal]);
  return { ...rest, timeoutMs: Math.min(rest.timeoutMs ?? remainingMs, remainingMs), signal };
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
