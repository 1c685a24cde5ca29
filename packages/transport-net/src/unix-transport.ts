import { createServer, type Server } from "node:net";
import {
  booleanOption,
  functionOption,
  integerOption,
  MAX_TIMER_MS,
  optionNames,
  optionsObject,
  rejectUnknownOptions,
  signalOption,
} from "@parley/framing/internal";
import { withReadSlabs } from "./accepted-socket.js";
import { ReadSlabs } from "./read-slabs.js";
import { openSocket } from "./socket-connect.js";
import { DEFAULT_HIGH_WATER_MARK_BYTES, SocketConnection } from "./socket-connection.js";
import {
  type ConnectionListener,
  type ListenerErrorHandler,
  SocketListener,
  startListening,
} from "./socket-listener.js";
import { DEFAULT_BACKLOG, DEFAULT_CONNECT_TIMEOUT_MS, requireListener } from "./tcp-transport.js";
import { bindSocketFile, removeIfOurs, type SocketFileIdentity } from "./unix-socket-bind.js";
import { checkDirectoryOwnerOnly, clearStaleSocket } from "./unix-socket-file.js";
import { resolveUnixTarget, type UnixTarget } from "./unix-socket-path.js";

/** File mode of a listener's socket file: read and write (= connect) for the owner only. */
export const DEFAULT_UNIX_SOCKET_MODE = 0o600;
/** How long the stale-socket probe waits for an existing socket file to answer. */
export const DEFAULT_PROBE_TIMEOUT_MS = 1_000;

/** Where a Unix socket is: a file system path, or a Linux abstract name. */
export interface UnixPathOptions {
  /**
   * Socket path, absolute or relative to the working directory, at most 107 bytes. A path starting
   * with `\0` is a Linux abstract name. Required.
   */
  path: string;
  /** Take `path` as a Linux abstract name (no file is created). @default false */
  abstract?: boolean;
  /**
   * Per-connection write buffer: `write()` returns `false` once this many bytes wait.
   * @default 65536 ({@link DEFAULT_HIGH_WATER_MARK_BYTES})
   */
  highWaterMarkBytes?: number;
}

/** Options of {@link listenUnix}. */
export interface UnixListenOptions extends UnixPathOptions {
  /**
   * Mode of the socket file, in force from the moment it appears. Connecting needs write
   * permission, so 0o600 admits only the owner, 0o660 the group too.
   * @default 0o600 ({@link DEFAULT_UNIX_SOCKET_MODE})
   */
  mode?: number;
  /**
   * Refuse to listen unless the socket's directory is owned by this user and closed to everyone
   * else (`UNIX_DIRECTORY_INSECURE`). Recommended where socket file modes are not enforced (BSDs).
   * @default false
   */
  checkDirectory?: boolean;
  /** How long to wait for an existing socket file to answer before calling it in use. @default 1000 */
  probeTimeoutMs?: number;
  /** Pending-connection queue length. @default 511 */
  backlog?: number;
  /** Receives `ACCEPT_FAILED` errors (out of file descriptors, ...). @default ignored */
  onError?: ListenerErrorHandler;
}

/** Options of {@link connectUnix}. */
export interface UnixConnectOptions extends UnixPathOptions {
  /**
   * Give up with `CONNECT_TIMEOUT` after this long.
   * @default 10000 ({@link DEFAULT_CONNECT_TIMEOUT_MS})
   */
  connectTimeoutMs?: number;
  /** Aborting it abandons the connect with `CONNECT_ABORTED`. */
  signal?: AbortSignal;
}

const UNIX_PATH_OPTION_NAMES = { path: true, abstract: true, highWaterMarkBytes: true } as const;

/** Every option {@link listenUnix} accepts (typed: a new option fails the typecheck until listed). */
const UNIX_LISTEN_OPTION_NAMES = optionNames<UnixListenOptions>({
  ...UNIX_PATH_OPTION_NAMES,
  mode: true,
  checkDirectory: true,
  probeTimeoutMs: true,
  backlog: true,
  onError: true,
});

/** Every option {@link connectUnix} accepts. */
const UNIX_CONNECT_OPTION_NAMES = optionNames<UnixConnectOptions>({
  ...UNIX_PATH_OPTION_NAMES,
  connectTimeoutMs: true,
  signal: true,
});

/** A listening Unix domain socket server. */
export class UnixListener extends SocketListener {
  /** The socket path as given, or `@name` for an abstract name. */
  readonly path: string;
  /** Whether this is a Linux abstract-namespace socket (no file). */
  readonly abstract: boolean;

  /** @internal Use {@link listenUnix}. */
  constructor(
    server: Server,
    target: UnixTarget,
    file: SocketFileIdentity | undefined,
    onConnection: ConnectionListener,
    onError: ListenerErrorHandler | undefined,
  ) {
    const afterStop = file === undefined ? undefined : () => removeIfOurs(file);
    super(server, target.url, onConnection, { onError, afterStop });
    this.path = target.display;
    this.abstract = target.abstract;
  }
}

/**
 * Listens on a Unix domain socket. A socket file left by a crashed server is detected (nobody
 * answers a probe) and replaced; a live server there is `ADDRESS_IN_USE`; a regular file is never
 * touched. The file gets `mode` from its first instant and is removed on close only while it is
 * still this listener's (same inode): a successor's file survives its predecessor's close.
 * @throws {UnixPathTooLongError} `UNIX_PATH_TOO_LONG` over 107 bytes.
 * @throws {UnixPathNotSocketError} `UNIX_PATH_NOT_SOCKET` when a non-socket file is at the path.
 * @throws {AddressInUseError} `ADDRESS_IN_USE` when a live server answers at the path.
 * @throws {UnixDirectoryInsecureError} `UNIX_DIRECTORY_INSECURE` under `checkDirectory`.
 * @throws {ListenError} `LISTEN_FAILED` when the directory is missing or not writable.
 * @example
 * const listener = await listenUnix({ path: "/run/app/app.sock" }, (c) => engine.accept(c));
 */
export async function listenUnix(
  options: UnixListenOptions,
  onConnection: ConnectionListener,
): Promise<UnixListener> {
  const o = optionsObject("listenUnix", options);
  rejectUnknownOptions("listenUnix()", o, UNIX_LISTEN_OPTION_NAMES, {
    what: "connectUnix()",
    names: UNIX_CONNECT_OPTION_NAMES,
  });
  const target = resolveUnixTarget(o.path, o.abstract);
  const highWaterMarkBytes = highWaterMarkOption(o.highWaterMarkBytes);
  const mode = integerOption("mode", o.mode, DEFAULT_UNIX_SOCKET_MODE, 0, 0o777);
  const checkDirectory = booleanOption("checkDirectory", o.checkDirectory, false);
  const probeTimeoutMs = integerOption(
    "probeTimeoutMs",
    o.probeTimeoutMs,
    DEFAULT_PROBE_TIMEOUT_MS,
    1,
    MAX_TIMER_MS,
  );
  const backlog = integerOption("backlog", o.backlog, DEFAULT_BACKLOG, 1, 2 ** 31 - 1);
  const onError = functionOption<ListenerErrorHandler>("onError", o.onError);
  requireListener(onConnection);

  const server = createServer({
    allowHalfOpen: true,
    highWaterMark: highWaterMarkBytes,
    pauseOnConnect: true, // nothing is read before withReadSlabs moves the handle
  });
  let listener: UnixListener | undefined;
  server.on("connection", (accepted) => {
    const { socket, reads } = withReadSlabs(accepted, { highWaterMark: highWaterMarkBytes });
    const connection = new SocketConnection(socket, {
      kind: "unix",
      highWaterMarkBytes,
      localAddress: target.display,
      remoteAddress: clientOf(target),
      ...(reads === undefined ? {} : { reads }),
    });
    if (listener) listener.accept(connection);
    else connection.reset();
  });
  let file: SocketFileIdentity | undefined;
  if (target.abstract) {
    await startListening(server, { path: target.bindPath, backlog }, target.url);
  } else {
    if (checkDirectory) checkDirectoryOwnerOnly(target);
    await clearStaleSocket(target, probeTimeoutMs);
    file = await bindSocketFile(server, target, mode, backlog);
  }
  listener = new UnixListener(server, target, file, onConnection, onError);
  return listener;
}

/**
 * Connects to a Unix domain socket; resolves with a connection not yet attached.
 * @throws {ConnectRefusedError} `CONNECT_REFUSED` when no socket file is there, or nobody listens
 *   on it (retryable).
 * @throws {ConnectTimeoutError} `CONNECT_TIMEOUT` after `connectTimeoutMs` (retryable).
 * @throws {ConnectAbortedError} `CONNECT_ABORTED` when `signal` aborts.
 * @throws {ConnectError} `CONNECT_FAILED` when permission is denied.
 * @throws {UnixPathTooLongError} `UNIX_PATH_TOO_LONG` over 107 bytes.
 * @example
 * const connection = await connectUnix({ path: "/run/app/app.sock" });
 */
export async function connectUnix(options: UnixConnectOptions): Promise<SocketConnection> {
  const o = optionsObject("connectUnix", options);
  rejectUnknownOptions("connectUnix()", o, UNIX_CONNECT_OPTION_NAMES, {
    what: "listenUnix()",
    names: UNIX_LISTEN_OPTION_NAMES,
  });
  const target = resolveUnixTarget(o.path, o.abstract);
  const highWaterMarkBytes = highWaterMarkOption(o.highWaterMarkBytes);
  const reads = new ReadSlabs();
  const request = {
    connectOptions: { path: target.bindPath, highWaterMark: highWaterMarkBytes },
    address: target.url,
    connectTimeoutMs: integerOption(
      "connectTimeoutMs",
      o.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
      1,
      MAX_TIMER_MS,
    ),
    signal: signalOption("signal", o.signal),
    reads,
  };
  return openSocket(
    request,
    (socket) =>
      new SocketConnection(socket, {
        kind: "unix",
        highWaterMarkBytes,
        localAddress: clientOf(target),
        remoteAddress: target.display,
        reads,
      }),
  );
}

/** How the unnamed (client) end of a Unix connection is described. */
function clientOf(target: UnixTarget): string {
  return `client of ${target.display}`;
}

function highWaterMarkOption(value: unknown): number {
  return integerOption("highWaterMarkBytes", value, DEFAULT_HIGH_WATER_MARK_BYTES, 1, 2 ** 31 - 1);
}
