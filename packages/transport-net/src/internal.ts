/**
 * Internals shared with sibling transport packages (`@parley/transport-tls`). Not public API: any
 * release may change it.
 * @internal
 * @packageDocumentation
 */

export { connectFailure, connectionFailure, errnoOf, listenFailure } from "./node-errors.js";
export type { ConnectRequest, TcpTuning } from "./socket-connect.js";
export { openSocket, tuneTcpSocket } from "./socket-connect.js";
export { hostPort } from "./socket-connection.js";
export type { ListenerHooks } from "./socket-listener.js";
export { startListening } from "./socket-listener.js";
export type {
  ResolvedTcpConnectOptions,
  ResolvedTcpListenOptions,
  ResolvedTcpSocketOptions,
} from "./tcp-transport.js";
export {
  hostPortListenOptions,
  requireListener,
  resolveTcpConnectOptions,
  resolveTcpListenOptions,
  TCP_CONNECT_OPTION_NAMES,
  TCP_LISTEN_OPTION_NAMES,
} from "./tcp-transport.js";
