/**
 * Counting sockets in their TLS handshake for a {@link TlsHandshakeAdmission}: from the TCP
 * `connection` until `secureConnection`, the handshake's failure, or the socket's close, whichever
 * comes first. Node hands the raw socket to `connection` and the TLS socket wrapping it to the
 * later events, with no public link between the two: they are matched by their four-tuple (local
 * and remote address and port), which no two open TCP connections share.
 */
import type { Socket } from "node:net";
import type { Server, TLSSocket } from "node:tls";
import { hostPort } from "@parley/transport-net/internal";
import type { TlsHandshakeAdmission } from "./tls-options.js";

/** What ends one socket's count; a second call does nothing. */
type Leave = () => void;

/**
 * Installs the counting on `server`. Call it before the listener's own `secureConnection`
 * handler, so that a connection leaves the TLS count before it enters the next one.
 */
export function countTlsHandshakes(server: Server, admission: TlsHandshakeAdmission): void {
  const counted = new Map<string, Leave>();
  server.on("connection", (raw: Socket) => {
    const key = fourTuple(raw);
    const leaveAdmission = admission.enterTlsHandshake(
      hostPort(raw.remoteAddress, raw.remotePort),
      () => raw.destroy(),
    );
    const leave = once(() => {
      counted.delete(key);
      leaveAdmission();
    });
    counted.set(key, leave);
    raw.once("close", leave);
  });
  server.on("secureConnection", (socket: TLSSocket) => counted.get(fourTuple(socket))?.());
  // A failed handshake's socket may no longer know its addresses: its raw socket's close ends it.
  server.on("tlsClientError", (_error: Error, socket: TLSSocket) =>
    counted.get(fourTuple(socket))?.(),
  );
}

function fourTuple(socket: Socket): string {
  return `${socket.localAddress}|${socket.localPort}|${socket.remoteAddress}|${socket.remotePort}`;
}

function once(run: () => void): Leave {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    run();
  };
}
