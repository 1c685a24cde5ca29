import type { Socket } from "node:net";
import { isIP } from "node:net";
import { createServer, type TLSSocket, connect as tlsConnect } from "node:tls";
import {
  ConnectAbortedError,
  type ConnectionListener,
  formatAddress,
  TcpListener,
} from "@parley/transport-net";
import {
  hostPortListenOptions,
  openSocket,
  requireListener,
  startListening,
  tuneTcpSocket,
} from "@parley/transport-net/internal";
import { TlsHandshakeTimeoutError } from "./errors.js";
import { countTlsHandshakes } from "./handshake-admission.js";
import { clientHandshakeFailure, handshakeDropped, handshakeFailure } from "./handshake-failure.js";
import { TlsConnection } from "./tls-connection.js";
import {
  type ResolvedTlsConnectOptions,
  resolveTlsConnectOptions,
  resolveTlsListenOptions,
  type TlsConnectOptions,
  type TlsListenOptions,
} from "./tls-options.js";

/** A listening TLS server; `address` says where it is bound, `url` is `tls://host:port`. */
export class TlsListener extends TcpListener {}

const ignore = (): void => {};

/**
 * Listens for TLS connections (TLS 1.2 at least, handshake bounded by `handshakeTimeoutMs`, client
 * certificates required under `mutual`). Each connection reaches `onConnection` after its
 * handshake, not yet attached; failed handshakes go to `onClientError`.
 * @throws {AddressInUseError} `ADDRESS_IN_USE` when another socket listens on the port.
 * @throws {ListenError} `LISTEN_FAILED` when the OS refuses.
 * @throws {InvalidOptionError} `INVALID_OPTION` for a bad option, or cert/key/ca that do not load.
 * @example
 * const listener = await listenTls({ port: 7443, cert, key }, (c) => engine.accept(c));
 */
export async function listenTls(
  options: TlsListenOptions,
  onConnection: ConnectionListener,
): Promise<TlsListener> {
  const o = resolveTlsListenOptions(options);
  requireListener(onConnection);
  const server = createServer({
    ...o.identity,
    minVersion: o.minVersion,
    requestCert: o.mutual,
    rejectUnauthorized: o.mutual,
    handshakeTimeout: o.handshakeTimeoutMs,
    // Not half-open during the handshake: a client that leaves mid-handshake must free its socket
    // at once (a half-open one lingers until the handshake timeout). SocketConnection makes the
    // socket half-open once the handshake is done, as the Connection contract needs.
    allowHalfOpen: false,
    highWaterMark: o.highWaterMarkBytes,
  });
  let listener: TlsListener | undefined;
  const address = formatAddress({ kind: "tls", host: o.host, port: o.port });
  const handshaking = new HandshakingSockets();
  server.on("connection", (socket: Socket) => {
    // Tune the TCP socket before the handshake, so the handshake's flights are not delayed either.
    tuneTcpSocket(socket, o);
    handshaking.add(socket);
  });
  if (o.handshakeAdmission !== undefined) countTlsHandshakes(server, o.handshakeAdmission);
  server.on("secureConnection", (socket: TLSSocket) => {
    handshaking.secured(socket);
    const connection = new TlsConnection(socket, { highWaterMarkBytes: o.highWaterMarkBytes });
    if (listener) listener.accept(connection);
    else connection.reset();
  });
  server.on("tlsClientError", (error: Error, socket: TLSSocket) => {
    socket.destroy(); // Node leaves some failed sockets (a handshake timeout) open
    const reason = rejectedCertificate(socket, error) ?? error;
    o.onClientError?.(handshakeFailure(reason, listener?.url ?? address, "server"));
  });
  await startListening(server, hostPortListenOptions(o), address);
  listener = new TlsListener(server, "tls", onConnection, o.onError, () => handshaking.destroy());
  return listener;
}

/**
 * The raw sockets of a TLS listener still in their handshake. A listener that stops destroys them:
 * its close otherwise waits for each to finish or time out (`handshakeTimeoutMs`), and one that
 * finishes after the stop is reset anyway. Keyed by the remote's address and port, which the
 * TLS socket of a finished handshake shares with its raw socket.
 */
class HandshakingSockets {
  readonly #byPeer = new Map<string, Socket>();

  add(socket: Socket): void {
    const key = peerOf(socket);
    this.#byPeer.set(key, socket);
    socket.once("close", () => {
      if (this.#byPeer.get(key) === socket) this.#byPeer.delete(key);
    });
  }

  secured(socket: TLSSocket): void {
    this.#byPeer.delete(peerOf(socket));
  }

  destroy(): void {
    for (const socket of this.#byPeer.values()) socket.destroy();
    this.#byPeer.clear();
  }
}

function peerOf(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/**
 * Connects over TCP (bounded by `connectTimeoutMs`), then runs the TLS handshake (bounded by
 * `handshakeTimeoutMs`), verifying the server's certificate against `ca` and its name against
 * `servername` (or `host`). Resolves with a connection not yet attached.
 * @throws {ConnectRefusedError} `CONNECT_REFUSED` when nothing listens (retryable).
 * @throws {ConnectTimeoutError} `CONNECT_TIMEOUT` after `connectTimeoutMs` (retryable).
 * @throws {ConnectError} `CONNECT_FAILED` (retryable) also when the server drops the connection
 *   before the TLS handshake completes (`ECONNRESET`, `EPIPE`): shedding load, restarting.
 * @throws {TlsHandshakeError} `TLS_HANDSHAKE_FAILED`: untrusted certificate, wrong name, no common
 *   version, a TLS alert, a peer that answers in another protocol.
 * @throws {TlsHandshakeTimeoutError} `TLS_HANDSHAKE_TIMEOUT` after `handshakeTimeoutMs` (retryable).
 * @throws {ConnectAbortedError} `CONNECT_ABORTED` when `signal` aborts.
 * @throws {InvalidOptionError} `INVALID_OPTION` for a bad option, or cert/key/ca that do not load.
 * @example
 * const connection = await connectTls({ host: "api.internal", port: 7443, ca });
 */
export async function connectTls(options: TlsConnectOptions): Promise<TlsConnection> {
  const o = resolveTlsConnectOptions(options);
  const address = formatAddress({ kind: "tls", host: o.host, port: o.port });
  const request = {
    connectOptions: { host: o.host, port: o.port, highWaterMark: o.highWaterMarkBytes },
    address,
    connectTimeoutMs: o.connectTimeoutMs,
    signal: o.signal,
  };
  const raw = await openSocket(request, (socket) => {
    tuneTcpSocket(socket, o);
    return socket;
  });
  return handshake(raw, o, address);
}

/**
 * Node checks a client certificate after the TLS handshake and, when it is refused, drops the
 * socket with a bare "socket hang up": recover the real reason from `authorizationError`.
 */
function rejectedCertificate(socket: TLSSocket, error: Error): Error | undefined {
  const code = socket.authorizationError as unknown;
  if (code === null || code === undefined) return undefined;
  const text = String(
    code instanceof Error ? ((code as { code?: unknown }).code ?? code.message) : code,
  );
  return Object.assign(
    new Error(`the client's certificate was refused (${text})`, { cause: error }),
    {
      code: text,
    },
  );
}

/** Runs the client handshake over a connected socket; the socket is destroyed if it fails. */
function handshake(
  raw: Socket,
  o: ResolvedTlsConnectOptions,
  address: string,
): Promise<TlsConnection> {
  const { signal } = o;
  return new Promise<TlsConnection>((resolve, reject) => {
    const socket = tlsConnect({
      socket: raw,
      host: o.host,
      servername: o.servername ?? (isIP(o.host) === 0 ? o.host : undefined),
      secureContext: o.secureContext,
      rejectUnauthorized: true,
    });
    const finish = (error: Error | undefined): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.off("secureConnect", onSecure);
      socket.off("error", onError);
      socket.off("close", onClose);
      if (error === undefined) {
        resolve(new TlsConnection(socket, { highWaterMarkBytes: o.highWaterMarkBytes }));
        return;
      }
      socket.on("error", ignore);
      socket.destroy();
      raw.destroy();
      reject(error);
    };
    const onSecure = (): void => finish(undefined);
    const onError = (error: Error): void => finish(clientHandshakeFailure(error, address));
    // Node reports a socket closed mid-handshake as ECONNRESET; a close it does not report is one too.
    const onClose = (): void => finish(handshakeDropped(address, "ECONNRESET"));
    const onAbort = (): void =>
      finish(
        new ConnectAbortedError(`connecting to ${address} was aborted by its signal`, {
          address,
          cause: signal?.reason,
        }),
      );
    const timer = setTimeout(() => {
      finish(
        new TlsHandshakeTimeoutError(
          `the TLS handshake with ${address} did not complete within handshakeTimeoutMs (${o.handshakeTimeoutMs} ms); is it a TLS server?`,
          { address },
        ),
      );
    }, o.handshakeTimeoutMs);
    timer.unref();
    socket.once("secureConnect", onSecure);
    socket.once("error", onError);
    socket.once("close", onClose);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
