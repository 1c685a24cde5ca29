import type { Socket } from "node:net";
import type { Connection, ConnectionHandlers } from "@parley/framing";
import { integerOption, oneOfOption, optionsObject } from "@parley/framing/internal";
import { AlreadyAttachedError } from "./errors.js";
import { connectionFailure } from "./node-errors.js";
import type { ReadSlabs } from "./read-slabs.js";

/** Bytes a connection buffers in user space before `write()` returns `false` (64 KiB). */
export const DEFAULT_HIGH_WATER_MARK_BYTES = 64 * 1024;

/** What a socket runs over; it decides how `reset()` aborts it. */
export type SocketKind = "tcp" | "unix" | "tls";

/** Options of {@link SocketConnection}. */
export interface SocketConnectionOptions {
  /**
   * `write()` returns `false` once this many bytes wait in user space; `onDrain` follows.
   * @default 65536 ({@link DEFAULT_HIGH_WATER_MARK_BYTES})
   */
  highWaterMarkBytes?: number;
  /**
   * The socket's kind. `tcp` resets with a real TCP RST; `unix` and `tls` are destroyed.
   * @default detected: `tls` for a TLS socket, `tcp` when the socket has a port, else `unix`
   */
  kind?: SocketKind;
  /** Description of the remote end. @default `host:port` of the peer, `[v6]:port` for IPv6 */
  remoteAddress?: string;
  /** Description of the local end. @default `host:port` of this end */
  localAddress?: string;
  /**
   * The slabs the socket was created to read into (`onread`): data comes from them, not from
   * `data` events. @internal
   */
  reads?: ReadSlabs;
}

type Phase = "detached" | "attached" | "closed";

/**
 * A `Connection` (the byte channel the Parley engine runs on) over a `node:net` or `node:tls`
 * socket. It follows the contract in `@parley/framing` to the letter:
 * 1. nothing is read before {@link attach}; an end or close that happens earlier is replayed after it;
 * 2. one {@link write} is one corked batch, flushed with one `writev`, chunks never copied;
 * 3. `write` returns `false` at or above `highWaterMarkBytes`, and `onDrain` follows;
 * 4. {@link end} flushes, then sends FIN, and reading goes on (the socket is half-open);
 * 5. {@link reset} drops pending output: a TCP RST (`resetAndDestroy`) on TCP, `destroy()` on Unix
 *    sockets (which have no RST), TLS, and a TCP socket whose FIN is being sent (libuv refuses a
 *    reset then); whatever came before, `onClose` follows;
 * 6. `onClose` fires once, last, with a coded error (`CONNECTION_RESET`, ...) on an abnormal close,
 *    or the error given to `reset(error)`.
 *
 * Writes after `end()`, `reset()` or the close are dropped and return `false`; nothing throws.
 * @example
 * const connection = new SocketConnection(socket);
 * connection.attach({ onData, onEnd, onDrain, onClose });
 * connection.write([header, payload]);
 */
export class SocketConnection implements Connection {
  /** The underlying socket; the connection owns it (listeners are installed on it). */
  readonly socket: Socket;
  /** How `reset()` aborts this socket. */
  readonly kind: SocketKind;
  /** The high-water mark in force. */
  readonly highWaterMarkBytes: number;
  /** The peer: `127.0.0.1:7000`, `[::1]:7000`, a socket path, or `client of <path>`. */
  readonly remoteAddress: string;
  /** This end, described the same way. */
  readonly localAddress: string;
  #phase: Phase = "detached";
  #handlers: ConnectionHandlers | undefined;
  #paused = false;
  #needDrain = false;
  /** The peer's FIN arrived before `attach()`; `onEnd` is owed. */
  #endPending = false;
  #resetting = false;
  #closeError: Error | undefined;
  /**
   * Callback for the last chunk of each write, needed only when our mark is below the socket's own
   * (its `drain` would then not follow our `false`). Otherwise none: any callback makes Node
   * allocate a closure and schedule a tick for every write.
   */
  readonly #flushCallback: ((error?: Error | null) => void) | undefined;
  readonly #reads: ReadSlabs | undefined;

  /**
   * Wraps a connected (or connecting) socket and takes it over: it is paused until {@link attach},
   * set half-open, and given the listeners the contract needs.
   * @throws {InvalidOptionError} `INVALID_OPTION` for a bad option.
   */
  constructor(socket: Socket, options?: SocketConnectionOptions) {
    const o = optionsObject("SocketConnection", options);
    this.socket = socket;
    this.highWaterMarkBytes = integerOption(
      "highWaterMarkBytes",
      o.highWaterMarkBytes,
      DEFAULT_HIGH_WATER_MARK_BYTES,
      1,
      2 ** 31 - 1,
    );
    this.kind = oneOfOption("kind", o.kind, detectKind(socket), ["tcp", "unix", "tls"] as const);
    this.remoteAddress = o.remoteAddress ?? hostPort(socket.remoteAddress, socket.remotePort);
    this.localAddress = o.localAddress ?? hostPort(socket.localAddress, socket.localPort);
    this.#reads = o.reads;
    // The contract is half-close: a FIN from the peer must not end our side of the stream.
    socket.allowHalfOpen = true;
    socket.pause();
    socket.on("end", this.#onEnd);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
    socket.on("drain", this.#checkDrain);
    this.#flushCallback =
      this.highWaterMarkBytes < socket.writableHighWaterMark ? this.#checkDrain : undefined;
  }

  /**
   * A plain socket's writes are in the kernel once `bufferedBytes` is 0, so their memory may be
   * reused. Not claimed for TLS, whose writes pass through the TLS layer's own buffering.
   */
  get copiesWrites(): boolean {
    return this.kind !== "tls";
  }

  /** Bytes accepted by `write()` and not yet handed to the operating system. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** True once the socket has fully closed (`onClose` has fired or fires at `attach()`). */
  get closed(): boolean {
    return this.#phase === "closed";
  }

  /**
   * Writes a batch of chunks as one corked write (one `writev`); the chunks are not copied, so do
   * not change them until they are flushed. Dropped (returns `false`) after `end()`, `reset()` or
   * the close.
   * @returns `false` when {@link bufferedBytes} is at or above the high-water mark: wait for `onDrain`.
   */
  write(chunks: readonly Uint8Array[]): boolean {
    const socket = this.socket;
    if (!socket.writable || this.#resetting) return false;
    // Empty chunks are skipped: a zero-length TLS write is a wasted record. (`length`, not
    // `byteLength`: the same for a Uint8Array, and several times cheaper to read in V8.)
    let last = chunks.length - 1;
    while (last >= 0 && chunks[last]!.length === 0) last--;
    if (last > 0) socket.cork();
    for (let i = 0; i < last; i++) {
      const chunk = chunks[i]!;
      if (chunk.length > 0) socket.write(chunk);
    }
    if (last >= 0) socket.write(chunks[last]!, this.#flushCallback);
    if (last > 0) socket.uncork();
    if (socket.writableLength < this.highWaterMarkBytes) return true;
    this.#needDrain = true;
    return false;
  }

  /** Flushes what was written, then sends FIN; reading goes on until the peer ends. Idempotent. */
  end(): void {
    if (this.#phase === "closed" || this.#resetting) return;
    this.socket.end();
  }

  /**
   * Drops pending output and aborts: TCP RST on TCP, `destroy()` on Unix and TLS. `onClose` then
   * gets `error` (or nothing). Idempotent; a no-op after the close.
   */
  reset(error?: Error): void {
    if (this.#phase === "closed" || this.#resetting) return;
    this.#resetting = true;
    this.#endPending = false;
    this.#closeError ??= error;
    const socket = this.socket;
    if (this.kind === "tcp" && canSendReset(socket)) {
      try {
        socket.resetAndDestroy();
        return;
      } catch {
        // Not a TCP handle after all (a misdeclared kind): destroying still aborts it.
      }
    }
    socket.destroy();
  }

  /** Stops `onData`; the socket's buffers fill and the peer's writes then back up. */
  pause(): void {
    if (this.#paused || this.#phase === "closed") return;
    this.#paused = true;
    this.#reads?.pause();
    this.socket.pause();
  }

  /** Resumes `onData` after {@link pause}. */
  resume(): void {
    if (!this.#paused || this.#phase === "closed") return;
    this.#paused = false;
    if (this.#phase !== "attached") return;
    this.#reads?.resume();
    this.socket.resume();
  }

  /**
   * Installs the handlers and starts reading. An end, drain or close that happened before is
   * delivered on the next tick.
   * @throws {AlreadyAttachedError} `ALREADY_ATTACHED` on a second call.
   */
  attach(handlers: ConnectionHandlers): void {
    if (this.#handlers) {
      throw new AlreadyAttachedError(`the connection to ${this.remoteAddress} is already attached`);
    }
    this.#handlers = handlers;
    if (this.#phase === "closed") {
      process.nextTick(this.#replay);
      return;
    }
    this.#phase = "attached";
    if (this.#reads === undefined) this.socket.on("data", this.#onData);
    else this.#reads.attach(this.#onData, handlers.readTarget?.bind(handlers));
    if (!this.#paused) {
      this.#reads?.resume();
      this.socket.resume();
    }
    if (this.#endPending || this.#needDrain) process.nextTick(this.#replay);
  }

  /** Delivers, after `attach()`, what happened before it: drain, end, close, in that order. */
  readonly #replay = (): void => {
    if (this.#phase === "closed") {
      this.#deliverClose();
      return;
    }
    if (this.#needDrain) this.#checkDrain();
    this.#deliverPendingEnd();
  };

  #deliverPendingEnd(): void {
    if (!this.#endPending) return;
    this.#endPending = false;
    this.#handlers!.onEnd();
  }

  #deliverClose(): void {
    this.#deliverPendingEnd();
    this.#handlers!.onClose(this.#closeError);
  }

  readonly #onData = (chunk: Buffer): void => {
    // Held chunks (slab reads) are delivered a tick after resume(): the socket may be gone by then.
    if (this.#resetting || this.#phase === "closed") return;
    this.#handlers!.onData(chunk);
  };

  readonly #onEnd = (): void => {
    if (this.#resetting) return;
    if (this.#phase === "attached") this.#handlers!.onEnd();
    else this.#endPending = true;
  };

  /**
   * After the socket's `drain` (or a flushed write): fires `onDrain` if a `false` is owed one and
   * the buffer is below the mark. The socket emits `drain` only when its buffer is empty, after a
   * write that found it at or above its own mark, which our `false` implies (see `#flushCallback`).
   */
  readonly #checkDrain = (error?: Error | null): void => {
    if (error || !this.#needDrain || this.#phase !== "attached") return;
    if (this.socket.writableLength >= this.highWaterMarkBytes) return;
    this.#needDrain = false;
    this.#handlers!.onDrain();
  };

  readonly #onError = (error: Error): void => {
    // The first cause wins: a reset's own reason, then the first socket error.
    if (!this.#resetting && !this.#closeError) {
      this.#closeError = connectionFailure(error, this.remoteAddress);
    }
    // An error is fatal to the stream. A net socket destroys itself on one; a TLS socket that
    // reads an alert does not, and would stay half-open.
    if (!this.socket.destroyed) this.socket.destroy();
  };

  readonly #onClose = (): void => {
    const wasAttached = this.#phase === "attached";
    this.#phase = "closed";
    this.#needDrain = false;
    if (wasAttached) this.#deliverClose();
  };
}

/**
 * Whether `resetAndDestroy()` can abort `socket` now. libuv refuses a reset (EINVAL) while a
 * shutdown is in flight, that is from the moment `end()` finds the write buffer empty until the
 * FIN is handed to the kernel; Node then drops the handle without closing it, so `close` never
 * comes and the descriptor leaks. In that window a plain `destroy()` is the abort: everything
 * written already sits in the kernel, so nothing is lost that a reset would have dropped. While
 * output is still buffered no shutdown has started (Node asks for it once the buffer is empty), and
 * while connecting Node would postpone the reset until a connection that may never come.
 */
function canSendReset(socket: Socket): boolean {
  if (socket.destroyed || socket.connecting) return false;
  const shutdownMayBePending =
    socket.writableEnded && !socket.writableFinished && socket.writableLength === 0;
  return !shutdownMayBePending;
}

function detectKind(socket: Socket): SocketKind {
  if ((socket as { encrypted?: unknown }).encrypted === true) return "tls";
  return typeof socket.remotePort === "number" || typeof socket.localPort === "number"
    ? "tcp"
    : "unix";
}

/** `127.0.0.1:7000`, `[::1]:7000`; `unknown` when the socket has no address (yet). */
export function hostPort(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return "unknown";
  const shown = host.includes(":") ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${port}`;
}
