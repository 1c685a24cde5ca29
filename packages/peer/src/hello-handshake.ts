/**
 * The Hello exchange (docs/protocol.md §5): our Hello, the checks on the remote's, and the errors a
 * refusal turns into. The checks run in the order the spec gives, and their messages read the same
 * from either side (they speak of "the calling side" and "the serving side", not "this peer").
 */
import { InvalidOptionError } from "@parley/framing";
import {
  CodecMismatchError,
  ConnectionRefusedError,
  ContractMismatchError,
  type PeerError,
  peerErrorForRemoteCode,
  VersionMismatchError,
} from "./errors.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import type { RemoteHello } from "./peer-types.js";
import type { RuntimeContract } from "./runtime-contract.js";
import { Kind, MAX_HELLO_BYTES, PROTOCOL_MAJOR, PROTOCOL_MINOR } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";
import type { ContractId, HelloMessage } from "./wire-messages.js";

const NO_METADATA = Object.freeze(Object.create(null));

/** This side's Hello. */
export function buildHello(o: ResolvedPeerOptions): HelloMessage {
  return {
    kind: Kind.Hello,
    major: PROTOCOL_MAJOR,
    minor: PROTOCOL_MINOR,
    codec: o.codec.name,
    serves: contractId(o.serves),
    calls: contractId(o.calls),
    maxFrameBytes: o.maxFrameBytes,
    maxConcurrentRequests: o.maxConcurrentHandlers + o.maxQueuedRequests,
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs,
    authToken: o.authToken,
    metadata: o.metadata,
  };
}

/**
 * This side's Hello frame, encoded by `wire`.
 * @throws {InvalidOptionError} INVALID_OPTION when metadata and authToken make it too large.
 */
export function encodeHello(o: ResolvedPeerOptions, wire: WireFormat): Uint8Array {
  const hello = wire.encode(buildHello(o));
  if (hello.length - wire.frameOverheadBytes > MAX_HELLO_BYTES) {
    throw new InvalidOptionError(
      `metadata and authToken make a Hello larger than ${MAX_HELLO_BYTES} bytes; send less`,
    );
  }
  return hello;
}

/** The remote's Hello as the public API shows it (without the token). */
export function toRemoteHello(m: HelloMessage, remoteAddress: string): RemoteHello {
  return Object.freeze({
    protocolVersion: Object.freeze({ major: m.major, minor: m.minor }),
    codec: m.codec,
    serves: m.serves,
    calls: m.calls,
    maxFrameBytes: m.maxFrameBytes,
    maxConcurrentRequests: m.maxConcurrentRequests,
    heartbeatIntervalMs: m.heartbeatIntervalMs,
    heartbeatTimeoutMs: m.heartbeatTimeoutMs,
    metadata: m.metadata ?? NO_METADATA,
    remoteAddress,
  });
}

/** Why the remote's Hello is unacceptable (version, codec, contracts), or undefined. */
export function checkRemoteHello(m: HelloMessage, o: ResolvedPeerOptions): PeerError | undefined {
  if (m.major !== PROTOCOL_MAJOR) {
    return new VersionMismatchError(
      `protocol version mismatch: one side speaks ${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}, the other ` +
        `${m.major}.${m.minor}; upgrade the older side`,
    );
  }
  if (m.codec !== o.codec.name) {
    return new CodecMismatchError(
      `codec mismatch: one side encodes bodies with ${o.codec.name}, the other with ${m.codec}; ` +
        "give both peers the same codec option",
    );
  }
  // An optional callback contract accepts a remote that serves nothing (not one serving another).
  // A side that serves nothing leaves the verdict to the calling side, which knows if it is optional.
  const called = o.callsOptional && m.serves === undefined ? undefined : o.calls;
  const served = o.serves === undefined ? undefined : m.calls;
  return contractMismatch(called, m.serves) ?? contractMismatch(served, o.serves);
}

/** The local error for a HelloAck refusal. */
export function refusalError(code: string, message: string): PeerError {
  const text = `the remote refused the connection (${code}): ${message}`;
  return peerErrorForRemoteCode(code, text) ?? new ConnectionRefusedError(text, code);
}

function contractMismatch(
  called: RuntimeContract | ContractId | undefined,
  served: RuntimeContract | ContractId | undefined,
): ContractMismatchError | undefined {
  if (called === undefined) return undefined;
  const want = contractId(called)!;
  const have = contractId(served);
  if (have === undefined) {
    return new ContractMismatchError(
      `contract mismatch: the calling side calls ${describe(want)} but the serving side serves no contract`,
    );
  }
  if (have.name !== want.name || have.version !== want.version) {
    return new ContractMismatchError(
      `contract mismatch: the calling side calls ${describe(want)} but the serving side serves ${describe(have)}`,
    );
  }
  if (have.fingerprint !== want.fingerprint) {
    return new ContractMismatchError(
      `contract mismatch: both sides use ${want.name} v${want.version} but their schemas differ ` +
        `(fingerprint ${want.fingerprint} on the calling side, ${have.fingerprint} on the serving ` +
        "side); deploy the same contract on both",
    );
  }
  return undefined;
}

function contractId(c: RuntimeContract | ContractId | undefined): ContractId | undefined {
  if (c === undefined) return undefined;
  return { name: c.name, version: String(c.version), fingerprint: c.fingerprint };
}

function describe(c: ContractId): string {
  return `${c.name} v${c.version} (fingerprint ${c.fingerprint})`;
}
