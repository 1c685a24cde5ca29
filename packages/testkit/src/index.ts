export type { ConnectionEvent, RecorderHooks } from "./connection-recorder.js";
export {
  ConnectionRecorder,
  DEFAULT_WAIT_TIMEOUT_MS,
  recordConnection,
} from "./connection-recorder.js";
export type { TestkitErrorCode } from "./errors.js";
export {
  AlreadyAttachedError,
  ConnectionResetError,
  LeakedHandlesError,
  RecorderWaitError,
  TESTKIT_ERROR_CODES,
} from "./errors.js";
export type {
  DeliveryControlOptions,
  DeliveryDirection,
  MemoryConnectionStats,
} from "./memory-connection.js";
export { MemoryConnection } from "./memory-connection.js";
export { createMemoryPair } from "./memory-pair.js";
export type { MemoryPairOptions } from "./memory-pair-options.js";
export {
  DEFAULT_HIGH_WATER_MARK_BYTES,
  DEFAULT_LATENCY_MS,
  DEFAULT_MEMORY_NAMES,
} from "./memory-pair-options.js";
