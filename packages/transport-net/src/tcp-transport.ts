import { type AddressInfo, createServer, type Server } from "node:net";
import { InvalidOptionError } from "@parley/framing";
import {
  booleanOption,
  describe,
  functionOption,
  integerOption,
  MAX_TIMER_MS,
  optionNames,
  optionsObject,
  rejectUnknownOptions,
  requiredString,
  signalOption,
} from "@parley/framing/internal";
import { withReadSlabs } from "./accepted-socket.js";
import { formatAddress } from "./address.js";
import { ReadSlabs } from "./read-slabs.js";
import { openSocket, type TcpTuning, tuneTcpSocket } from "./socket-connect.js";
import { DEFAULT_HIGH_WATER_MARK_BYTES, SocketConnection } from "./socket-connection.js";
import {
  type ConnectionListener,
  type ListenerErrorHandler,
  SocketListener,
  startListening,
} from "./socket-listener.js";

/** Interface a TCP listener binds to by default: loopback only, so nothing is exposed by accident. */
export const DEFAULT_TCP_HOST = "127.0.0.1";
/** Port a TCP listener binds to by default: any free port (read it back from `url` or `address`). */
export const DEFAULT_TCP_PORT = 0;
/** Pending-connection queue length of a listener (Node's own default). */
export const DEFAULT_BACKLOG = 511;
/** How long a connect may take before it fails with `CONNECT_TIMEOUT`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Idle time before the kernel sends the first TCP keepalive probe (the OS default is 2 hours). */
export const DEFAULT_KEEP_ALIVE_INITIAL_DELAY_MS = 60_000;

/** Options shared by every TCP socket, accepted or connected. */
export interface TcpSocketOptions {
  /**
   * `TCP_NODELAY`: send small writes at once instead of waiting to coalesce them (Nagle).
   * @default true
   */
  noDelay?: boolean;
  /**
   * Idle time before the first keepalive probe, in ms (whole seconds; the kernel's unit). 0 turns
   * keepalive off.
   * @default 60000 ({@link DEFAULT_KEEP_ALIVE_INITIAL_DELAY_MS})
   */
  keepAliveInitialDelayMs?: number;
  /**
   * Per-connection write buffer: `write()` returns `false` once this many bytes wait.
   * @default 65536 ({@link DEFAULT_HIGH_WATER_MARK_BYTES})
   */
  highWaterMarkBytes?: number;
}

/** Options of {@link listenTcp}. */
export interface TcpListenOptions extends TcpSocketOptions {
  /**
   * Interface to bind: an IP literal or a name. `0.0.0.0` or `::` for every interface.
   * @default "127.0.0.1" ({@link DEFAULT_TCP_HOST})
   */
  host?: string;
  /** Port to bind; 0 picks a free one. @default 0 */
  port?: number;
  /** Pending-connection queue length. @default 511 ({@link DEFAULT_BACKLOG}) */
  backlog?: number;
  /** With `host: "::"`, accept IPv6 only (no IPv4-mapped addresses). @default false */
  ipv6Only?: boolean;
  /** Receives `ACCEPT_FAILED` errors (out of file descriptors, ...). @default ignored */
  onError?: ListenerErrorHandler;
}

/** Options of {@link connectTcp}. */
export interface TcpConnectOptions extends TcpSocketOptions {
  /** Host name or IP literal to connect to. Required. */
  host: string;
  /** Port to connect to (1 to 65535). Required. */
  port: number;
  /**
   * Give up with `CONNECT_TIMEOUT` after this long (name lookup included).
   * @default 10000 ({@link DEFAULT_CONNECT_TIMEOUT_MS})
   */
  connectTimeoutMs?: number;
  /** Aborting it abandons the connect with `CONNECT_ABORTED`. */
  signal?: AbortSignal;
}

/** Resolved {@link TcpSocketOptions}. @internal */
export interface ResolvedTcpSocketOptions extends TcpTuning {
  readonly highWaterMarkBytes: number;
}

/** Resolved {@link TcpListenOptions}. @internal */
export interface ResolvedTcpListenOptions extends ResolvedTcpSocketOptions {
  readonly host: string;
  readonly port: number;
  readonly backlog: number;
  readonly ipv6Only: boolean;
  readonly onError: ListenerErrorHandler | undefined;
}

/** Resolved {@link TcpConnectOptions}. @internal */
export interface ResolvedTcpConnectOptions extends ResolvedTcpSocketOptions {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

const SOCKET_OPTION_NAMES = {
  noDelay: true,
  keepAliveInitialDelayMs: true,
  highWaterMarkBytes: true,
} as const;

/** Every option {@link listenTcp} accepts (typed: a new option fails the typecheck until listed). @internal */
export const TCP_LISTEN_OPTION_NAMES = optionNames<TcpListenOptions>({
  ...SOCKET_OPTION_NAMES,
  host: true,
  port: true,
  backlog: true,
  ipv6Only: true,
  onError: true,
});

/** Every option {@link connectTcp} accepts. @internal */
export const TCP_CONNECT_OPTION_NAMES = optionNames<TcpConnectOptions>({
  ...SOCKET_OPTION_NAMES,
  host: true,
  port: true,
  connectTimeoutMs: true,
  signal: true,
});

/** A listening TCP server; `address` says where it is bound. */
export class TcpListener extends SocketListener {
  /** The bound address, port 0 resolved. */
  readonly address: AddressInfo;

  /** @internal Use {@link listenTcp}. `afterStop` as in {@link ListenerHooks}. */
  constructor(
    server: Server,
    scheme: "tcp" | "tls",
    onConnection: ConnectionListener,
    onError: ListenerErrorHandler | undefined,
    afterStop?: () => void,
  ) {
    const address = server.address() as AddressInfo;
    super(
      server,
      formatAddress({ kind: scheme, host: address.address, port: address.port }),
      onConnection,
      { onError, afterStop },
    );
    this.address = address;
  }
}

/**
 * Listens for TCP connections and hands each, tuned (`TCP_NODELAY`, keepalive) and not yet
 * attached, to `onConnection`. Restarting on the same port right after a close works even with
 * connections in TIME_WAIT (SO_REUSEADDR, which Node sets on every TCP listener).
 * @throws {AddressInUseError} `ADDRESS_IN_USE` when another socket listens on the port.
 * @throws {ListenError} `LISTEN_FAILED` when the OS refuses (privileged port, foreign address).
 * @throws {InvalidOptionError} `INVALID_OPTION` for a bad option.
 * @example
 * const listener = await listenTcp({ port: 7000 }, (connection) => engine.accept(connection));
 * console.log(listener.url); // tcp://127.0.0.1:7000
 */
export async function listenTcp(
  options: TcpListenOptions,
  onConnection: ConnectionListener,
): Promise<TcpListener> {
  const o = resolveTcpListenOptions(options);
  rejectUnknownOptions("listenTcp()", options, TCP_LISTEN_OPTION_NAMES, {
    what: "connectTcp()",
    names: TCP_CONNECT_OPTION_NAMES,
  });
  requireListener(onConnection);
  const server = createServer({
    allowHalfOpen: true,
    highWaterMark: o.highWaterMarkBytes,
    pauseOnConnect: true, // nothing is read before withReadSlabs moves the handle
  });
  let listener: TcpListener | undefined;
  server.on("connection", (accepted) => {
    const { socket, reads } = withReadSlabs(accepted, { highWaterMark: o.highWaterMarkBytes });
    tuneTcpSocket(socket, o);
    const connection = new SocketConnection(socket, {
      kind: "tcp",
      highWaterMarkBytes: o.highWaterMarkBytes,
      ...(reads === undefined ? {} : { reads }),
    });
    if (listener) listener.accept(connection);
    else connection.reset();
  });
  await startListening(server, hostPortListenOptions(o), formatAddress({ kind: "tcp", ...o }));
  listener = new TcpListener(server, "tcp", onConnection, o.onError);
  return listener;
}

/**
 * Connects over TCP; resolves with a connection that is tuned (`TCP_NODELAY`, keepalive) and not
 * yet attached.
 * @throws {ConnectRefusedError} `CONNECT_REFUSED` when nothing listens on the port (retryable).
 * @throws {ConnectTimeoutError} `CONNECT_TIMEOUT` after `connectTimeoutMs` (retryable).
 * @throws {ConnectAbortedError} `CONNECT_ABORTED` when `signal` aborts.
 * @throws {ConnectError} `CONNECT_FAILED` for an unknown host or an unreachable network.
 * @throws {InvalidOptionError} `INVALID_OPTION` for a bad option.
 * @example
 * const connection = await connectTcp({ host: "127.0.0.1", port: 7000 });
 */
export async function connectTcp(options: TcpConnectOptions): Promise<SocketConnection> {
  const o = resolveTcpConnectOptions(options);
  rejectUnknownOptions("connectTcp()", options, TCP_CONNECT_OPTION_NAMES, {
    what: "listenTcp()",
    names: TCP_LISTEN_OPTION_NAMES,
  });
  const address = formatAddress({ kind: "tcp", host: o.host, port: o.port });
  const reads = new ReadSlabs();
  const request = {
    connectOptions: { host: o.host, port: o.port, highWaterMark: o.highWaterMarkBytes },
    address,
    connectTimeoutMs: o.connectTimeoutMs,
    signal: o.signal,
    reads,
  };
  return openSocket(request, (socket) => {
    tuneTcpSocket(socket, o);
    return new SocketConnection(socket, {
      kind: "tcp",
      highWaterMarkBytes: o.highWaterMarkBytes,
      reads,
    });
  });
}

/** Resolves and validates {@link TcpListenOptions}. @internal */
export function resolveTcpListenOptions(
  options: TcpListenOptions | undefined,
): ResolvedTcpListenOptions {
  const o = optionsObject("listen", options);
  return Object.freeze({
    ...resolveSocketOptions(o),
    host: o.host === undefined ? DEFAULT_TCP_HOST : hostOption(o.host),
    port: integerOption("port", o.port, DEFAULT_TCP_PORT, 0, 65535),
    backlog: integerOption("backlog", o.backlog, DEFAULT_BACKLOG, 1, 2 ** 31 - 1),
    ipv6Only: booleanOption("ipv6Only", o.ipv6Only, false),
    onError: functionOption<ListenerErrorHandler>("onError", o.onError),
  });
}

/** Resolves and validates {@link TcpConnectOptions}. @internal */
export function resolveTcpConnectOptions(options: TcpConnectOptions): ResolvedTcpConnectOptions {
  const o = optionsObject("connect", options);
  if (o.port === undefined)
    throw new InvalidOptionError("port is required to connect (1 to 65535)");
  return Object.freeze({
    ...resolveSocketOptions(o),
    host: hostOption(o.host),
    port: integerOption("port", o.port, 0, 1, 65535),
    connectTimeoutMs: integerOption(
      "connectTimeoutMs",
      o.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
      1,
      MAX_TIMER_MS,
    ),
    signal: signalOption("signal", o.signal),
  });
}

/** `listen()` options for a host and port. @internal */
export function hostPortListenOptions(o: ResolvedTcpListenOptions) {
  return { host: o.host, port: o.port, backlog: o.backlog, ipv6Only: o.ipv6Only };
}

/** Throws `INVALID_OPTION` unless `onConnection` is a function. @internal */
export function requireListener(onConnection: unknown): void {
  if (typeof onConnection !== "function") {
    throw new InvalidOptionError("onConnection must be a function (connection) => void");
  }
}

/**
 * Largest `keepAliveInitialDelayMs`: Linux takes at most 32,767 s for TCP_KEEPIDLE, and Node drops
 * the error of a larger value, leaving the kernel's 2-hour default in its place.
 */
const MAX_KEEP_ALIVE_DELAY_MS = 32_767_000;

function resolveSocketOptions(o: TcpSocketOptions): ResolvedTcpSocketOptions {
  const delay = o.keepAliveInitialDelayMs;
  const validDelay =
    delay === undefined ||
    delay === 0 ||
    (Number.isSafeInteger(delay) && delay >= 1000 && delay <= MAX_KEEP_ALIVE_DELAY_MS);
  if (!validDelay) {
    throw new InvalidOptionError(
      `keepAliveInitialDelayMs must be 0 (keepalive off) or an integer from 1000 to ${MAX_KEEP_ALIVE_DELAY_MS} (got ${describe(delay)})`,
    );
  }
  return {
    noDelay: booleanOption("noDelay", o.noDelay, true),
    keepAliveInitialDelayMs: delay ?? DEFAULT_KEEP_ALIVE_INITIAL_DELAY_MS,
    highWaterMarkBytes: integerOption(
      "highWaterMarkBytes",
      o.highWaterMarkBytes,
      DEFAULT_HIGH_WATER_MARK_BYTES,
      1,
      2 ** 31 - 1,
    ),
  };
}

/** A host name or IP literal; brackets around an IPv6 literal are tolerated and removed. */
function hostOption(value: unknown): string {
  return requiredString("host", value).replace(/^\[(.*)\]$/, "$1");
}
