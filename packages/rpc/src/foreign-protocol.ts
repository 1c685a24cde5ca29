/**
 * A remote that does not speak Parley at all (an HTTP server, a TLS port, an SSH daemon, a JSON
 * service on the wrong port). The framing layer recognises such bytes and reports them on the
 * first frame; what a user meets at connect() or in a server's `refuse` event is this error, with
 * its own code and without the advice to raise maxFrameBytes, which would not help.
 */
import { connect as connectTls } from "node:tls";
import { isParleyError, ParleyError } from "@parley/framing";
import { parseAddress } from "@parley/transport-net";

/** How long the TLS probe may take before the original error is reported as it was. */
export const TLS_PROBE_TIMEOUT_MS = 1_000;

/** The remote speaks another protocol; `detectedProtocol` says which. */
export class NotParleyError extends ParleyError {
  override readonly name = "NotParleyError";
  readonly code = "NOT_PARLEY" as const;
  /** The call was never sent. */
  readonly notExecuted = true;
  /** What the remote appears to speak: `HTTP/1.x`, `HTTP/2`, `TLS`, `SSH`, `JSON`, ... */
  readonly detectedProtocol: string;

  constructor(
    detectedProtocol: string,
    address: string,
    options: { cause?: unknown; message?: string } = {},
  ) {
    super(
      options.message ??
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

/**
 * What a client's failed connect means: {@link explainHandshakeFailure}, and when a `tcp://`
 * handshake only lost its connection, a probe for TLS. A TLS server that receives a Parley Hello
 * instead of a ClientHello closes without a byte, so there is nothing to recognise; only after that
 * failure does the client ask the port, with a TLS handshake that sends no application data.
 */
export async function explainConnectFailure(
  error: unknown,
  url: string,
  probe: (host: string, port: number) => Promise<boolean> = speaksTls,
): Promise<unknown> {
  const explained = explainHandshakeFailure(error, url);
  if (explained !== error || !isParleyError(error) || error.code !== "CONNECTION_LOST") {
    return explained;
  }
  let address: ReturnType<typeof parseAddress>;
  try {
    address = parseAddress(url);
  } catch {
    return error;
  }
  if (address.kind !== "tcp" || !(await probe(address.host, address.port))) return error;
  const tlsUrl = `tls://${url.slice("tcp://".length)}`;
  return new NotParleyError("TLS", url, {
    cause: error,
    message: `the server seems to speak TLS: use ${tlsUrl} (with the tls option) instead of ${url}`,
  });
}

/**
 * {@link explainConnectFailure} for one client: the TLS probe runs at most once and its verdict is
 * kept, so a reconnect loop that keeps losing its connection does not open a second connection
 * (of up to {@link TLS_PROBE_TIMEOUT_MS}) to the port on every attempt.
 */
export function connectFailureExplainer(url: string): (error: unknown) => Promise<unknown> {
  let verdict: Promise<boolean> | undefined;
  const probeOnce = (host: string, port: number): Promise<boolean> => {
    verdict ??= speaksTls(host, port);
    return verdict;
  };
  return (error) => explainConnectFailure(error, url, probeOnce);
}

/**
 * True when a TLS handshake with the port gets a TLS answer: a completed handshake, or a TLS
 * alert (a server that wants a client certificate). The certificate is not checked: nothing is
 * sent over it, the socket is closed at once.
 */
export function speaksTls(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTls({ host, port, rejectUnauthorized: false, servername: "" });
    const done = (verdict: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => done(false), TLS_PROBE_TIMEOUT_MS);
    socket.once("secureConnect", () => done(true));
    socket.once("error", (e: NodeJS.ErrnoException) => done(/^ERR_SSL_.*ALERT/.test(e.code ?? "")));
  });
}
