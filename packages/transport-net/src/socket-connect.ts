import { connect, type NetConnectOpts, type Socket } from "node:net";
import { ConnectAbortedError, ConnectTimeoutError, type TransportError } from "./errors.js";
import { connectFailure } from "./node-errors.js";
import type { ReadSlabs } from "./read-slabs.js";

/** What {@link openSocket} needs: where to connect and how long to try. @internal */
export interface ConnectRequest {
  /** Passed to `net.connect`. */
  readonly connectOptions: NetConnectOpts;
  /** The address as a URL, for error messages. */
  readonly address: string;
  readonly connectTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** Read into these slabs (`onread`) instead of a fresh buffer per read. Not for a TLS socket. */
  readonly reads?: ReadSlabs;
}

const ignore = (): void => {};

/**
 * Connects a socket, bounded by `connectTimeoutMs` and `signal`, and hands it to `wrap` inside the
 * `connect` event, so no event can slip between the connect and whoever takes the socket over.
 * On failure the socket is destroyed and the promise rejects with a coded error.
 * @internal
 */
export function openSocket<T>(request: ConnectRequest, wrap: (socket: Socket) => T): Promise<T> {
  const { address, signal } = request;
  if (signal?.aborted) return Promise.reject(aborted(address, signal.reason));
  return new Promise<T>((resolve, reject) => {
    const socket = connect({
      ...request.connectOptions,
      allowHalfOpen: true,
      ...(request.reads === undefined ? {} : { onread: request.reads.onread }),
    });
    const finish = (error: TransportError | undefined): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.off("connect", onConnect);
      socket.off("error", onError);
      if (error === undefined) {
        resolve(wrap(socket));
        return;
      }
      // A late error from the abandoned socket must not become an uncaught exception.
      socket.on("error", ignore);
      socket.destroy();
      reject(error);
    };
    const onConnect = (): void => finish(undefined);
    const onError = (error: Error): void => finish(connectFailure(error, address));
    const onAbort = (): void => finish(aborted(address, signal?.reason));
    const timer = setTimeout(() => {
      finish(
        new ConnectTimeoutError(
          `no connection to ${address} within connectTimeoutMs (${request.connectTimeoutMs} ms); check that the server is reachable or raise connectTimeoutMs`,
          { address },
        ),
      );
    }, request.connectTimeoutMs);
    timer.unref();
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function aborted(address: string, reason: unknown): ConnectAbortedError {
  return new ConnectAbortedError(`connecting to ${address} was aborted by its signal`, {
    address,
    cause: reason,
  });
}

/** TCP options applied to every socket, accepted or connected. @internal */
export interface TcpTuning {
  readonly noDelay: boolean;
  /** 0 turns keepalive off. */
  readonly keepAliveInitialDelayMs: number;
}

/** Applies `TCP_NODELAY` and `SO_KEEPALIVE` (with its idle delay) to a connected TCP socket. @internal */
export function tuneTcpSocket(socket: Socket, tuning: TcpTuning): void {
  socket.setNoDelay(tuning.noDelay);
  socket.setKeepAlive(tuning.keepAliveInitialDelayMs > 0, tuning.keepAliveInitialDelayMs);
}
