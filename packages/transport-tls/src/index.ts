export type { TlsTransportErrorCode } from "./errors.js";
export {
  TLS_TRANSPORT_ERROR_CODES,
  TlsHandshakeError,
  TlsHandshakeTimeoutError,
} from "./errors.js";
export { TlsConnection } from "./tls-connection.js";
export type {
  PemInput,
  TlsClientErrorHandler,
  TlsCommonOptions,
  TlsConnectOptions,
  TlsHandshakeAdmission,
  TlsListenOptions,
  TlsMinVersion,
} from "./tls-options.js";
export { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_TLS_MIN_VERSION } from "./tls-options.js";
export { connectTls, listenTls, TlsListener } from "./tls-transport.js";
