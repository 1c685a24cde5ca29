// What a user of @parley/rpc needs from the lower layers, so that one install is enough.
export type {
  AnyContract,
  Codec,
  Contract,
  ContractDefinition,
  JsonCodecOptions,
  MsgpackCodecOptions,
  RequestInput,
  RequestName,
  RequestOutput,
  SignalName,
  SignalPayload,
  ValidationIssue,
  WireError,
} from "@parley/codec";
export {
  CodecError,
  ContractValidationError,
  createJsonCodec,
  createMsgpackCodec,
  defineContract,
  RemoteError,
  ServiceError,
} from "@parley/codec";
export { InvalidOptionError, isParleyError, ParleyError } from "@parley/framing";
export type {
  AuthSecret,
  AuthSecretsOption,
  CallOptions,
  CloseInfo,
  CloseInitiator,
  CloseReason,
  ContractId,
  HelloInfo,
  Metadata,
  Peer,
  PeerOptions,
  PeerStats,
  RemoteHello,
} from "@parley/peer";
export {
  AbandonedError,
  CancelledError,
  CodecMismatchError,
  ConnectionLostError,
  ConnectionRefusedError,
  ContractMismatchError,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DeadlineExceededError,
  HandshakeTimeoutError,
  MessageTooLargeError,
  OverloadedError,
  PEER_ERROR_CODES,
  PeerState,
  PeerUnresponsiveError,
  ProtocolError,
  SlowConsumerError,
  UnauthenticatedError,
  UnavailableError,
  UnimplementedError,
  VersionMismatchError,
} from "@parley/peer";
export { parseAddress, TRANSPORT_ERROR_CODES } from "@parley/transport-net";
export { TLS_TRANSPORT_ERROR_CODES } from "@parley/transport-tls";
export { z } from "zod";
export {
  DEFAULT_MAX_HANDSHAKING_BYTES,
  DEFAULT_MAX_HANDSHAKING_CONNECTIONS,
  DEFAULT_MAX_PRE_HELLO_BYTES,
  REFUSAL_LINGER_MS,
} from "./admission.js";
export type { BackoffOptions } from "./backoff.js";
export {
  DEFAULT_RECONNECT_INITIAL_DELAY_MS,
  DEFAULT_RECONNECT_JITTER,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_RECONNECT_MULTIPLIER,
} from "./backoff.js";
export type { ClientState } from "./client.js";
export { Client } from "./client.js";
export type {
  ClientCallOptions,
  ClientEvents,
  ConnectOptions,
  ParentCall,
} from "./client-options.js";
export { connect, DEFAULT_WAIT_FOR_READY_MS } from "./connect.js";
export type { Endpoint, EndpointOptions, ListeningEndpoint } from "./endpoint.js";
export { resolveEndpoint } from "./endpoint.js";
export type { ErrorHook, ErrorInfo, Logger } from "./error-reporting.js";
export { InternalError, SignalDroppedError } from "./error-reporting.js";
export type { RpcErrorCode } from "./errors.js";
export {
  ClientClosedError,
  NotConnectedError,
  ReconnectFailedError,
  ReconnectRefusedError,
  RPC_ERROR_CODES,
  WaitDeadlineError,
} from "./errors.js";
export { NotParleyError } from "./foreign-protocol.js";
export type {
  CallbackPeer,
  EmitterOf,
  HandlerContext,
  Handlers,
  SignalContext,
  SignalHandlers,
} from "./handler-types.js";
export type { TransportKind } from "./rpc-connection.js";
export { RpcConnection } from "./rpc-connection.js";
export type { ServerConnection, ServerEvents } from "./server.js";
export { Server, serve } from "./server.js";
export type { ServeOptions } from "./server-options.js";
export { DEFAULT_MAX_CONNECTIONS } from "./server-options.js";
