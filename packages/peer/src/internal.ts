/**
 * Internals shared with sibling packages, benchmarks and tools (a future CLI, protocol dumps).
 * @internal No semver guarantee: these may change in any release.
 */

export { AbortWatch } from "./abort-watch.js";
export { authProof, EXPORTER_BYTES, EXPORTER_LABEL, helloDigest } from "./auth-proof.js";
export { checkCallOptions, createNameProxy, linkSignals, type NameProxy } from "./call-gate.js";
export { memberTableDigest } from "./contract-agreement.js";
export { FrameEncoder } from "./frame-encoder.js";
export { FrameParser } from "./frame-parser.js";
export type { FlushScheduler } from "./outbox.js";
export { checkPeerOptions } from "./peer.js";
export { PEER_OPTION_NAMES } from "./peer-option-names.js";
export { monotonicNow } from "./pending-call.js";
export { streamCallRefusal, wrongCallMode } from "./stream-calls.js";
export { closeInputs, INPUTS_SOURCE } from "./stream-inputs.js";
export { isThenable } from "./thenable.js";
export {
  AuthBinding,
  AuthStep,
  Flag,
  HELLO_MAGIC,
  HelloAckStatus,
  Kind,
  MAX_HELLO_BYTES,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  ResponseStatus,
} from "./wire-constants.js";
export {
  createBinaryWireFormat,
  frameTooLarge,
  type WireFormat,
  type WireFormatFactory,
  type WireFormatOptions,
} from "./wire-format.js";
export type {
  AuthMessage,
  ByeMessage,
  HelloAckMessage,
  HelloMessage,
  IdOnlyMessage,
  Message,
  RequestMessage,
  ResponseMessage,
  SignalMessage,
} from "./wire-messages.js";
