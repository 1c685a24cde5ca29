import { Socket } from "node:net";
import { Duplex } from "node:stream";
import { ReadSlabs } from "./read-slabs.js";

/** Stream options an accepted socket is re-created with (those the listener's server had). */
export interface AcceptedSocketOptions {
  readonly highWaterMark: number;
}

/** The socket a connection runs on, and the slabs it reads into when it could be given some. */
export interface AcceptedSocket {
  readonly socket: Socket;
  readonly reads: ReadSlabs | undefined;
}

interface HandleHolder {
  _handle: unknown;
}

/**
 * Gives an accepted socket the slab reads (`onread`) connected sockets have. Node creates accepted
 * sockets without `onread`, so each read allocates a fresh buffer and goes through the stream's
 * `data` machinery; the one place Node takes `onread` is the Socket constructor, which also takes
 * an existing handle. So the listener's server pauses on connect (nothing is read yet) and the
 * handle moves to a Socket created with `onread`. On a raw 64 KiB echo this took the server from
 * 312 to 188 µs of CPU per call (`benchmarks/src/micro/accepted-reads.ts`).
 *
 * Two details keep the connection contract: the accepted socket stays behind as an empty shell
 * until the new one closes (the server counts it, so `server.close()` still waits for this
 * connection), and `pause()` on the new socket leaves the handle reading (ReadSlabs holds what
 * arrives), so a FIN or a reset before `attach()` is seen, as with `data` events. Where a Node
 * version keeps the handle elsewhere, the accepted socket is used as it is.
 * @internal
 */
export function withReadSlabs(accepted: Socket, options: AcceptedSocketOptions): AcceptedSocket {
  const shell = accepted as unknown as HandleHolder;
  const handle = shell._handle;
  if (handle === null || typeof handle !== "object") return { socket: accepted, reads: undefined };
  const reads = new ReadSlabs();
  shell._handle = null;
  const socket = new Socket({
    handle,
    onread: reads.onread,
    allowHalfOpen: true,
    highWaterMark: options.highWaterMark,
    readable: true,
    writable: true,
  } as ConstructorParameters<typeof Socket>[0]);
  // Socket's own pause() stops an onread handle; the stream's keeps it reading into the slabs.
  socket.pause = function pause(this: Socket) {
    reads.pause();
    return Duplex.prototype.pause.call(this) as Socket;
  };
  socket.once("close", () => accepted.destroy());
  return { socket, reads };
}
