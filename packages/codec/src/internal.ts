/**
 * @internal Building blocks of the codecs, exported for Parley's own benchmarks and sibling
 * packages. Not part of the public API: names and signatures may change in any release.
 */

// Slab memory, shared with @parley/peer's rewindable frame slabs.
export { MAX_SLAB_SLICE_BYTES, newSlab, SLAB_BYTES, slabBytes } from "./byte-slab.js";
// The Hello's per-method agreement (protocol 1.1), used by @parley/peer.
export type {
  ContractMember,
  MemberAgreement,
  MemberIncompatibility,
} from "./contract-members.js";
export {
  agreeMembers,
  contractMembers,
  describeIncompatibility,
  memberFingerprint,
} from "./contract-members.js";
export { fnv1a64 } from "./fingerprint.js";
export { MsgpackScanner } from "./msgpack-scanner.js";
export type { Domain } from "./value-checker.js";
export { ValueChecker } from "./value-checker.js";
