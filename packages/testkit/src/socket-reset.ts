import type { Socket } from "node:net";

/**
 * Aborts a socket the hardest way it allows, and always so that it closes: a TCP RST where libuv
 * accepts one, else `destroy()`. libuv refuses a reset (EINVAL) while `end()`'s shutdown is in
 * flight (from `end()` on an empty write buffer until the FIN reaches the kernel); Node then drops
 * the handle unclosed, `close` never comes and the descriptor leaks. `resetAndDestroy()` also
 * throws on Unix sockets, and waits for a connection that may never come while connecting.
 * `@parley/transport-net` applies the same rule in its `SocketConnection.reset()`.
 */
export function resetSocket(socket: Socket, isTcp: boolean): void {
  if (socket.destroyed) return;
  const shutdownMayBePending =
    socket.writableEnded && !socket.writableFinished && socket.writableLength === 0;
  if (isTcp && !socket.connecting && !shutdownMayBePending) socket.resetAndDestroy();
  else socket.destroy();
}
