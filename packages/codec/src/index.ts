export type { Codec } from "./codec.js";
export { DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT, MAX_RESERVE_BYTES } from "./codec.js";
export type { AnyContract, Contract } from "./contract.js";
export {
  DEFAULT_COMPILE_SCHEMAS,
  DEFAULT_VALIDATE_INBOUND,
  DEFAULT_VALIDATE_OUTBOUND,
  defineContract,
} from "./contract.js";
export type {
  ChangeVerdict,
  ContractChange,
  ContractDiff,
  ContractVersion,
} from "./contract-diff.js";
export { diffContracts, formatContractDiff } from "./contract-diff.js";
export type {
  CallName,
  CallStream,
  ContractCaller,
  ContractDefinition,
  ContractHandler,
  ContractHandlers,
  ContractSignalHandlers,
  ContractSignalSenders,
  ContractStreamCaller,
  DefinitionOf,
  HandlerContextOf,
  HandlerInput,
  HandlerInputItem,
  HandlerItem,
  HandlerOutput,
  HandlerResult,
  HasAccepts,
  HasYields,
  ParseResult,
  RequestDefinition,
  RequestInput,
  RequestInputItem,
  RequestItem,
  RequestName,
  RequestOutput,
  SignalInput,
  SignalName,
  SignalPayload,
  StreamInputs,
  StreamName,
  StreamRequestDefinition,
  UnaryRequestDefinition,
} from "./contract-types.js";
export type {
  CodecErrorCode,
  CodecErrorOptions,
  ContractErrorCode,
  ContractValidationDetails,
  ValidationIssue,
} from "./errors.js";
export {
  CODEC_ERROR_CODES,
  CONTRACT_ERROR_CODES,
  CodecError,
  ContractValidationError,
  formatPath,
  INTERNAL_ERROR_CODE,
  RemoteError,
  ServiceError,
} from "./errors.js";
export type { Json } from "./fingerprint.js";
export { contractFingerprint, wireSchema } from "./fingerprint.js";
export type { JsonCodecOptions } from "./json-codec.js";
export { createJsonCodec } from "./json-codec.js";
export { ZERO_COPY_MIN_BYTES } from "./msgpack-binary.js";
export type { Int64Mode, MsgpackCodecOptions } from "./msgpack-codec.js";
export { createMsgpackCodec, DEFAULT_COPY_BINARY, DEFAULT_INT64_AS } from "./msgpack-codec.js";
export { MAX_REPORTED_ISSUES } from "./schema-check.js";
export type { SchemaFinding } from "./schema-compatibility.js";
export { compareSchemas, isCompatibleSchema } from "./schema-compatibility.js";
export type { JsonSchema } from "./schema-description.js";
export { describeSchema, MAX_SCHEMA_DEPTH } from "./schema-description.js";
export type { StreamShape } from "./stream-shape.js";
export type { WireError } from "./wire-error.js";
export { fromWireError, isWireError, toWireError } from "./wire-error.js";
