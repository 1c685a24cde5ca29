/**
 * Which failures a client may retry into and which it may not: a handshake refusal that no retry
 * can fix ends the reconnect loop at once (gRPC's channel keeps retrying these and its callers only
 * ever see UNAVAILABLE; a Parley client says why instead). Errors are told apart by `code` and by a
 * structural guard, never by class or `name`, since two copies of a package may be loaded.
 */
import { isParleyError } from "@parley/framing";

/** Refusal codes that mean the two sides are configured apart: only a deploy or a config change helps. */
const PERMANENT_REFUSALS: Readonly<Record<string, string>> = {
  CONTRACT_MISMATCH: "deploy a contract the server accepts (or the server one this client calls)",
  UNAUTHENTICATED:
    "give the client and the server the same authSecrets (a 1.0/1.1 peer needs allowLegacyAuth), or fix verifyAuth",
  VERSION_MISMATCH: "upgrade the side that speaks the older protocol",
  CODEC_MISMATCH: "give both sides the same codec option",
};

/** True for a handshake refusal that retrying the same connection cannot fix. */
export function isPermanentRefusal(error: unknown): boolean {
  return isLocalEngineError(error) && PERMANENT_REFUSALS[error.code] !== undefined;
}

/** The fix a permanent refusal calls for, in words. */
export function refusalFix(error: { code: string }): string {
  return PERMANENT_REFUSALS[error.code] ?? "change the configuration the remote refused";
}

/**
 * True when `error` was raised by this side's engine (it says whether the remote handler ran), as
 * opposed to a RemoteError: a remote handler's own `CONNECTION_LOST` says nothing about this link.
 */
export function isLocalEngineError(
  error: unknown,
): error is { code: string; notExecuted: boolean } & Error {
  return (
    isParleyError(error) && typeof (error as { notExecuted?: unknown }).notExecuted === "boolean"
  );
}
