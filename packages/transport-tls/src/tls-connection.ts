/**
 * A TLS connection: the socket connection of `@parley/transport-net`, plus the session's exported
 * keying material, which the engine binds its shared-secret proofs to (docs/protocol.md §5).
 */
import type { TLSSocket } from "node:tls";
import { SocketConnection, type SocketConnectionOptions } from "@parley/transport-net";

/** A {@link SocketConnection} over a TLS socket, able to export keying material. */
export class TlsConnection extends SocketConnection {
  constructor(socket: TLSSocket, options: SocketConnectionOptions) {
    super(socket, { ...options, kind: "tls" });
  }

  /**
   * `length` bytes exported from the TLS session under `label` (RFC 5705, RFC 8446 §7.5): equal
   * on both ends of this session, different on any other. Undefined when Node cannot export
   * (no `exportKeyingMaterial`, or the session is gone).
   */
  exportKeyingMaterial(length: number, label: string): Uint8Array | undefined {
    const socket = this.socket as TLSSocket;
    if (typeof socket.exportKeyingMaterial !== "function") return undefined;
    try {
      // No context argument: Node then exports without one (RFC 5705 tells the two apart).
      return socket.exportKeyingMaterial(length, label, undefined as unknown as Buffer);
    } catch {
      return undefined;
    }
  }
}
