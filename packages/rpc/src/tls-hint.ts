/**
 * Telling a user who dialled `tcp://` a TLS port what went wrong. A TLS server that receives a
 * Parley Hello instead of a ClientHello closes without a byte, so all the client sees is a lost
 * connection; only after that failure does it ask the port, with a TLS handshake of its own that
 * sends no application data, whether TLS answers there.
 */
import { connect as connectTls } from "node:tls";
import { isParleyError } from "@parley/framing";
import { ProtocolError } from "@parley/peer";
import { parseAddress } from "@parley/transport-net";

/** How long the TLS probe may take before the original error is reported as it was. */
export const TLS_PROBE_TIMEOUT_MS = 1_000;

/**
 * `error`, or when a `tcp://` handshake ended with the connection lost and the port turns out to
 * speak TLS, a `PROTOCOL_ERROR` saying so (the original error as its `cause`).
 */
export async function explainHandshakeFailure(url: string, error: unknown): Promise<unknown> {
  if (!isParleyError(error) || error.code !== "CONNECTION_LOST") return error;
  let address: ReturnType<typeof parseAddress>;
  try {
    address = parseAddress(url);
  } catch {
    return error;
  }
  if (address.kind !== "tcp") return error;
  if (!(await speaksTls(address.host, address.port))) return error;
  return new ProtocolError(
    `the server seems to speak TLS: use tls://${url.slice("tcp://".length)} (with the tls option) instead of ${url}`,
    { cause: error },
  );
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
