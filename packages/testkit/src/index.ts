export type { Blackhole } from "./blackhole-listener.js";
export { startBlackhole } from "./blackhole-listener.js";
export { runBounded } from "./bounded-run.js";
export { firstDifference } from "./byte-diff.js";
export type { ByteTap, TappedConnection } from "./byte-tap.js";
export { createByteTap } from "./byte-tap.js";
export type { CallAudit, CallOutcome } from "./call-audit.js";
export { auditCalls, settleWithin } from "./call-audit.js";
export { CallLedger, readCallLedger } from "./call-ledger.js";
export type { ChaosDirection, ChaosFaults, SetFaultsOptions } from "./chaos-faults.js";
export { NO_FAULTS } from "./chaos-faults.js";
export type { ChaosProxy } from "./chaos-proxy.js";
export { createChaosProxy } from "./chaos-proxy.js";
export type { ChaosAddress, ChaosProxyOptions } from "./chaos-proxy-options.js";
export { DEFAULT_CHAOS_LISTEN } from "./chaos-proxy-options.js";
export type {
  CloseAction,
  CloseSpacing,
  SocketBackedConnection,
} from "./conformance-close-orders.js";
export {
  applyCloseAction,
  CLOSE_ACTIONS,
  CLOSE_SPACINGS,
  closePause,
  permutations,
} from "./conformance-close-orders.js";
export type { ConformanceCheck } from "./conformance-data-checks.js";
export type { ConformancePair, ConformanceTarget } from "./conformance-target.js";
export {
  DEFAULT_LARGE_PAYLOAD_BYTES,
  DEFAULT_RESET_ERROR_CODES,
} from "./conformance-target.js";
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
export { countOpenFds } from "./fd-count.js";
export type { HandleSnapshot, LeakCheckOptions } from "./handle-snapshot.js";
export {
  DEFAULT_LEAK_TIMEOUT_MS,
  expectNoLeakedHandles,
  snapshotHandles,
} from "./handle-snapshot.js";
export type { HeapSample } from "./heap-slope.js";
export { collectAndMeasureHeap, heapSlope } from "./heap-slope.js";
export type { ByteMutation, HostileMaterial, HostileStream } from "./hostile-bytes.js";
export { hostileStreamArbitrary, mutateBytes, splitFrames } from "./hostile-bytes.js";
export type { HostileResult, HostileSendOptions } from "./hostile-connection.js";
export { sendHostileBytes } from "./hostile-connection.js";
export type { LiveResources } from "./live-resources.js";
export { trackLiveResources } from "./live-resources.js";
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
export type { NetnsPartition, PartitionSupport } from "./netns-partition.js";
export { createNetnsPartition, netnsPartitionSupport } from "./netns-partition.js";
export type { ReadmeErrorRow } from "./readme-error-table.js";
export { readmeErrorTable } from "./readme-error-table.js";
export { RetentionTracker } from "./retention-tracker.js";
export type { KeyPair, TestCertificates } from "./test-certificates.js";
export { generateTestCertificates } from "./test-certificates.js";
export {
  describeTransportConformance,
  TRANSPORT_CONFORMANCE_CHECKS,
} from "./transport-conformance.js";
