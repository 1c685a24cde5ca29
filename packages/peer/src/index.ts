export { isParleyError } from "@parley/framing";
export type { AuthOptions, AuthSecret, AuthSecretsOption } from "./auth-options.js";
export { MIN_AUTH_SECRET_BYTES } from "./auth-options.js";
export {
  DEFAULT_STREAM_WINDOW_BYTES,
  DEFAULT_STREAM_WINDOW_ITEMS,
} from "./credit-window.js";
export type { PeerErrorCode, PeerErrorOptions } from "./errors.js";
export {
  AbandonedError,
  CancelledError,
  CodecMismatchError,
  ConnectionLostError,
  ConnectionRefusedError,
  ContractMismatchError,
  DeadlineExceededError,
  HandshakeTimeoutError,
  MessageTooLargeError,
  OverloadedError,
  PEER_ERROR_CODES,
  PeerError,
  PeerUnresponsiveError,
  ProtocolError,
  SlowConsumerError,
  UnauthenticatedError,
  UnavailableError,
  UnimplementedError,
  VersionMismatchError,
} from "./errors.js";
export type {
  HandlerContext,
  ScopedCaller,
  ScopedCallOptions,
  SignalContext,
} from "./handler-run.js";
export { createPeer } from "./peer.js";
export type { HandlersOf, PeerOptions, SignalHandlersOf } from "./peer-options.js";
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_CONCURRENT_HANDLERS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_PENDING_CALLS,
  DEFAULT_MAX_QUEUED_REQUESTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SLOW_CONSUMER_TIMEOUT_MS,
  MAX_PENDING_CALLS_LIMIT,
  MIN_MAX_FRAME_BYTES,
} from "./peer-options.js";
export { PeerState } from "./peer-state.js";
export type {
  CallerOf,
  CallOptions,
  CloseInfo,
  CloseInitiator,
  CloseReason,
  ContractLike,
  HandlerErrorHook,
  HelloInfo,
  InputOf,
  MethodOf,
  OutputOf,
  Peer,
  PeerLogger,
  PeerStats,
  RemoteHello,
  SignalInputOf,
  SignalNameOf,
  SignalOptions,
  SignalSendersOf,
  StreamCallerOf,
  UntypedCaller,
  UntypedStreamCaller,
} from "./peer-types.js";
export type { Refusal, RefuseConnectionOptions } from "./refuse-connection.js";
export { refuseConnection } from "./refuse-connection.js";
export { DEFAULT_MAX_CONCURRENT_STREAMS, type StreamOptions } from "./stream-options.js";
export { createTokenVerifier } from "./token-verifier.js";
export { PROTOCOL_MAJOR, PROTOCOL_MINOR } from "./wire-constants.js";
export {
  createBinaryWireFormat,
  type WireFormat,
  type WireFormatFactory,
  type WireFormatOptions,
} from "./wire-format.js";
export type { ContractId, Metadata } from "./wire-messages.js";
