import type { Connection } from "@parley/framing";
import {
  connectTcp,
  connectUnix,
  listenTcp,
  listenUnix,
  parseAddress,
} from "@parley/transport-net";
import {
  connectTls,
  listenTls,
  type TlsConnectOptions,
  type TlsHandshakeAdmission,
  type TlsListenOptions,
} from "@parley/transport-tls";

/** Transport settings that ride along with a URL. */
export interface EndpointOptions {
  /** TLS material for `tls://` URLs: cert/key (server), ca, and mutual-TLS settings. */
  tls?: Partial<Omit<TlsListenOptions, "host" | "port"> & Omit<TlsConnectOptions, "host" | "port">>;
  /** File mode of a Unix socket a server creates. @default 0o600 */
  socketMode?: number;
  /**
   * A server refuses to listen on a Unix socket unless its directory is owned by this user and
   * closed to everyone else (`UNIX_DIRECTORY_INSECURE`). @default false
   */
  checkDirectory?: boolean;
  /** Give up connecting after this long. @default 10000 */
  connectTimeoutMs?: number;
  /** Per-connection write buffer before `write()` reports backpressure. @default 65536 */
  highWaterMarkBytes?: number;
}

/** A bound listener. */
export interface ListeningEndpoint {
  /** The URL actually bound (port 0 resolved). */
  readonly url: string;
  /** Stops accepting; resolves once the accepted connections have closed. */
  close(): Promise<void>;
  /** Stops accepting and resets the accepted connections. */
  destroy(): Promise<void>;
}

/** A URL resolved to the transport that serves it. */
export interface Endpoint {
  /** Listens; `admission` counts the sockets of a `tls://` listener while their TLS handshake runs. */
  listen(
    onConnection: (connection: Connection) => void,
    admission?: TlsHandshakeAdmission,
  ): Promise<ListeningEndpoint>;
  /** Connects; `signal` aborts a connect under way (`CONNECT_ABORTED`). */
  connect(signal?: AbortSignal): Promise<Connection>;
}

/**
 * Picks the transport by URL scheme: `tcp://host:port`, `tls://host:port`, `unix:///abs/path.sock`,
 * `unix:relative.sock`, `unix-abstract:name` (the grammar of `parseAddress` in @parley/transport-net).
 * @throws `INVALID_ADDRESS` for any other scheme or a malformed address
 */
export function resolveEndpoint(url: string, options: EndpointOptions = {}): Endpoint {
  const address = parseAddress(url);
  const { connectTimeoutMs, highWaterMarkBytes } = options;
  switch (address.kind) {
    case "tcp": {
      const { host, port } = address;
      return {
        listen: (onConnection) => listenTcp({ host, port, highWaterMarkBytes }, onConnection),
        connect: (signal) =>
          connectTcp({ host, port, connectTimeoutMs, highWaterMarkBytes, signal }),
      };
    }
    case "tls": {
      const { host, port } = address;
      const tls = options.tls ?? {};
      return {
        listen: (onConnection, handshakeAdmission) =>
          listenTls(
            { ...tls, host, port, highWaterMarkBytes, handshakeAdmission } as TlsListenOptions,
            onConnection,
          ),
        connect: (signal) =>
          connectTls({
            ...tls,
            host,
            port,
            connectTimeoutMs,
            highWaterMarkBytes,
            signal,
          } as TlsConnectOptions),
      };
    }
    case "unix":
    case "unix-abstract": {
      const abstract = address.kind === "unix-abstract";
      const path = abstract ? address.name : address.path;
      return {
        listen: (onConnection) =>
          listenUnix(
            {
              path,
              abstract,
              mode: options.socketMode,
              checkDirectory: options.checkDirectory,
              highWaterMarkBytes,
            },
            onConnection,
          ),
        connect: (signal) =>
          connectUnix({ path, abstract, connectTimeoutMs, highWaterMarkBytes, signal }),
      };
    }
  }
}
