/**
 * The checks on the remote's Hello (docs/protocol.md §5.4), in the order the spec gives: protocol
 * major version, codec, then the contracts each side calls and serves. Messages read the same from
 * either side ("one side ..., the other ...").
 */
import { agreeContracts, type ContractGaps } from "./contract-agreement.js";
import { CodecMismatchError, type PeerError, VersionMismatchError } from "./errors.js";
import type { ResolvedPeerOptions } from "./peer-options.js";
import { PROTOCOL_MAJOR, PROTOCOL_MINOR } from "./wire-constants.js";
import type { HelloMessage } from "./wire-messages.js";

/** The remote's Hello is acceptable (with what it lacks of this side's contract), or not. */
export type HelloVerdict =
  | { readonly ok: true; readonly gaps: ContractGaps | undefined }
  | { readonly ok: false; readonly error: PeerError };

/** Whether this side can talk with the remote that sent `m`. */
export function checkHello(o: ResolvedPeerOptions, m: HelloMessage): HelloVerdict {
  if (m.major !== PROTOCOL_MAJOR) {
    const error = new VersionMismatchError(
      `protocol version mismatch: one side speaks ${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}, the other ` +
        `${m.major}.${m.minor}; upgrade the older side`,
    );
    return { ok: false, error };
  }
  const codec = o.codec.name;
  if (m.codec !== codec) {
    const error = new CodecMismatchError(
      `codec mismatch: one side encodes bodies with ${codec}, the other with ${m.codec}; ` +
        "give both peers the same codec option",
    );
    return { ok: false, error };
  }

  return agreeContracts(o, m);
}
