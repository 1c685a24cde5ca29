/**
 * How a client that can get no connection any more reports it: the error `closed` carries and the
 * one every waiting and later call fails with, for each way of failing.
 */
import type { CloseInfo } from "@parley/peer";
import { ConnectionLostError } from "@parley/peer";
import { ClientClosedError, ReconnectFailedError, ReconnectRefusedError } from "./errors.js";
import type { GaveUpReason } from "./reconnector.js";

/** The error `closed` reports and the one later calls fail with, for each way of failing. */
export function failureErrors(
  attempts: number,
  lastError: Error,
  reason: GaveUpReason | "lost",
): { error: Error; failure: Error } {
  switch (reason) {
    case "refused": {
      const error = new ReconnectRefusedError(lastError);
      return { error, failure: error };
    }
    case "lost": {
      const failure = new ConnectionLostError(
        `the connection was lost (${lastError.message}) and reconnect is off; the call was not ` +
          "sent; pass reconnect to connect() or connect again",
        { notExecuted: true, cause: lastError },
      );
      return { error: lastError, failure };
    }
    default: {
      const error = new ReconnectFailedError(attempts, { cause: lastError });
      return { error, failure: new ClientClosedError({ cause: error }) };
    }
  }
}

/** The CloseInfo of a client closed while it had no live connection. */
export function localClose(reason: "graceful" | "abort", calls?: CloseInfo["calls"]): CloseInfo {
  return {
    initiator: "local",
    reason,
    calls: calls ?? { completed: 0, rejected: 0, abandoned: 0 },
  };
}
