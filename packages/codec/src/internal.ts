/**
 * @internal Building blocks of the codecs, exported for Parley's own benchmarks and sibling
 * packages. Not part of the public API: names and signatures may change in any release.
 */

export { fnv1a64 } from "./fingerprint.js";
export { MsgpackScanner } from "./msgpack-scanner.js";
export type { Domain } from "./value-checker.js";
export { ValueChecker } from "./value-checker.js";
