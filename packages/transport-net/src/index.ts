export type {
  HostPortAddress,
  TransportAddress,
  UnixAbstractAddress,
  UnixPathAddress,
} from "./address.js";
export { ADDRESS_SCHEMES, formatAddress, parseAddress } from "./address.js";
export type { TransportErrorCode, TransportErrorOptions } from "./errors.js";
export {
  AcceptError,
  AddressInUseError,
  AlreadyAttachedError,
  ConnectAbortedError,
  ConnectError,
  ConnectionError,
  ConnectionResetError,
  ConnectionTimeoutError,
  ConnectRefusedError,
  ConnectTimeoutError,
  InvalidAddressError,
  ListenError,
  TRANSPORT_ERROR_CODES,
  TransportError,
  UnixDirectoryInsecureError,
  UnixPathNotSocketError,
  UnixPathTooLongError,
} from "./errors.js";
export type { SocketConnectionOptions, SocketKind } from "./socket-connection.js";
export { DEFAULT_HIGH_WATER_MARK_BYTES, SocketConnection } from "./socket-connection.js";
export type { ConnectionListener, Listener, ListenerErrorHandler } from "./socket-listener.js";
export { SocketListener } from "./socket-listener.js";
export type { TcpConnectOptions, TcpListenOptions, TcpSocketOptions } from "./tcp-transport.js";
export {
  connectTcp,
  DEFAULT_BACKLOG,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_INITIAL_DELAY_MS,
  DEFAULT_TCP_HOST,
  DEFAULT_TCP_PORT,
  listenTcp,
  TcpListener,
} from "./tcp-transport.js";
export { MAX_UNIX_PATH_BYTES } from "./unix-socket-path.js";
export type { UnixConnectOptions, UnixListenOptions, UnixPathOptions } from "./unix-transport.js";
export {
  connectUnix,
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_UNIX_SOCKET_MODE,
  listenUnix,
  UnixListener,
} from "./unix-transport.js";
