/**
 * The frames the Hello handshake writes and reads, as messages: this side's Hello (every field it
 * advertises is built here), the refusal Hello, HelloAck refuse, and the remote's Hello as the
 * public API shows it.
 */
import { InvalidOptionError } from "@parley/framing";
import { advertisedMembers, contractId } from "./contract-agreement.js";
import { ConnectionRefusedError, type PeerError, peerErrorForRemoteCode } from "./errors.js";
import { withoutShapes } from "./hello-members.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import type { RemoteHello } from "./peer-types.js";
import { Kind, MAX_HELLO_BYTES, PROTOCOL_MAJOR, PROTOCOL_MINOR } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";
import type { HelloAckMessage, HelloMessage } from "./wire-messages.js";

const NO_METADATA = Object.freeze(Object.create(null));

/** This side's Hello: every field the handshake advertises is built here. */
export function ownHello(o: ResolvedPeerOptions): HelloMessage {
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
    servesMembers: advertisedMembers(o.serves),
    callsMembers: withoutShapes(advertisedMembers(o.calls)),
    streamWindow: o.streamWindow, // present: this side does streams (§12.2)
  };
}

/**
 * This side's Hello frame, encoded by `wire`. A served contract whose shapes would make it too
 * large goes without them (docs/protocol.md §3: differing members then count as incompatible).
 * @throws {InvalidOptionError} INVALID_OPTION when metadata and authToken make it too large.
 */
export function encodeHello(o: ResolvedPeerOptions, wire: WireFormat): Uint8Array {
  const full = ownHello(o);
  let hello = wire.encode(full);
  if (hello.length - wire.frameOverheadBytes > MAX_HELLO_BYTES && full.servesMembers) {
    hello = wire.encode({ ...full, servesMembers: withoutShapes(full.servesMembers) });
  }
  if (hello.length - wire.frameOverheadBytes > MAX_HELLO_BYTES) {
    throw new InvalidOptionError(
      `metadata and authToken make a Hello larger than ${MAX_HELLO_BYTES} bytes; send less`,
    );
  }
  return hello;
}

/**
 * A refusal Hello: an empty codec name tells the other side to skip its checks and expect
 * HelloAck refuse next (what `refuseConnection` sends before its refusal).
 */
export function refusalHello(maxFrameBytes: number): HelloMessage {
  return {
    kind: Kind.Hello,
    major: PROTOCOL_MAJOR,
    minor: PROTOCOL_MINOR,
    codec: "",
    serves: undefined,
    calls: undefined,
    maxFrameBytes,
    maxConcurrentRequests: 0,
    heartbeatIntervalMs: 0,
    heartbeatTimeoutMs: 0,
    authToken: undefined,
    metadata: undefined,
  };
}

/** HelloAck refuse with `code` (the remote's `ready` rejects with it) and `message`. */
export function helloAckRefuse(code: string, message: string): HelloAckMessage {
  return { kind: Kind.HelloAck, accepted: false, code, message };
}

/** The remote's Hello as the public API shows it (without the token). */
export function toRemoteHello(
  m: HelloMessage,
  remoteAddress: string,
  authKeyId: string | undefined,
): RemoteHello {
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
    authKeyId,
  });
}

/** The local error for a HelloAck refusal. */
export function refusalError(code: string, message: string): PeerError {
  const text = `the remote refused the connection (${code}): ${message}`;
  return peerErrorForRemoteCode(code, text) ?? new ConnectionRefusedError(text, code);
}
