/**
 * The names a peer's options may have, and the check that refuses any other: a misspelled option
 * (`maxFrmaeBytes`) would otherwise be dropped without a word and its limit silently missing.
 */
import { optionNames, rejectUnknownOptions } from "@parley/framing/internal";
import type { PeerOptions } from "./peer-options.js";
import type { ContractLike } from "./peer-types.js";

/**
 * Every option {@link createPeer} accepts, typed against {@link PeerOptions} (an option added
 * there fails the typecheck until it is listed). Layers above pick these from their own options.
 */
export const PEER_OPTION_NAMES = optionNames<
  PeerOptions<ContractLike | undefined, ContractLike | undefined>
>({
  serves: true,
  handlers: true,
  signalHandlers: true,
  calls: true,
  callsOptional: true,
  side: true,
  codec: true,
  authSecrets: true,
  allowLegacyAuth: true,
  authChannelBinding: true,
  authToken: true,
  verifyAuth: true,
  admit: true,
  metadata: true,
  contractCheck: true,
  handshakeTimeoutMs: true,
  requestTimeoutMs: true,
  closeTimeoutMs: true,
  maxConcurrentHandlers: true,
  maxQueuedRequests: true,
  maxPendingCalls: true,
  maxBufferedBytes: true,
  slowConsumerTimeoutMs: true,
  heartbeatIntervalMs: true,
  heartbeatTimeoutMs: true,
  maxFrameBytes: true,
  captureCallSites: true,
  logger: true,
  handlerError: true,
  wireFormat: true,
  flushScheduler: true,
  streamWindowItems: true,
  streamWindowBytes: true,
  maxConcurrentStreams: true,
});

/**
 * Throws unless every option given to {@link createPeer} is one it uses.
 * @throws {InvalidOptionError} `INVALID_OPTION` naming the unknown option and the nearest known one.
 */
export function checkPeerOptionNames(options: object | undefined): void {
  rejectUnknownOptions("createPeer()", options, PEER_OPTION_NAMES);
}
