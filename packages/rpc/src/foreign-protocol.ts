/**
 * A remote that does not speak Parley at all (an HTTP server, a TLS port, an SSH daemon, a JSON
 * service on the wrong port). The framing layer recognises such bytes and reports them on the
 * first frame; what a user meets at connect() or in a server's `refuse` event is this error, with
 * its own code and without the advice to raise maxFrameBytes, which would not help.
 */
import { isParleyError, ParleyError } from "@parley/framing";

/** The remote speaks another protocol; `detectedProtocol` says which. */
export class NotParleyError extends ParleyError {
  override readonly name = "NotParleyError";
  readonly code = "NOT_PARLEY" as const;
  /** The call was never sent. */
  readonly notExecuted = true;
  /** What the remote appears to speak: `HTTP/1.x`, `HTTP/2`, `TLS`, `SSH`, `JSON`, ... */
  readonly detectedProtocol: string;

  constructor(detectedProtocol: string, address: string, options: { cause?: unknown } = {}) {
    super(
      `${address} appears to speak ${detectedProtocol}, not Parley; check the URL and port ` +
        `(a tls:// URL for a TLS port, the Parley port rather than an HTTP one)`,
      options,
    );
    this.detectedProtocol = detectedProtocol;
  }
}

/**
 * A handshake failure as the user should see it: a framing error that recognised another protocol
 * becomes {@link NotParleyError} (the framing error is its `cause`); anything else is unchanged.
 */
export function explainHandshakeFailure(error: unknown, address: string): unknown {
  if (!isParleyError(error)) return error;
  const detected = (error as { detectedProtocol?: unknown }).detectedProtocol;
  if (typeof detected !== "string") {
    // The engine wraps what ended it: look one level down for the decoder's diagnosis.
    const cause = (error as { cause?: unknown }).cause;
    const inner = isParleyError(cause) ? explainHandshakeFailure(cause, address) : cause;
    return inner instanceof NotParleyError ? inner : error;
  }
  return new NotParleyError(detected, address, { cause: error });
}
