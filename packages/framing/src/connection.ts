/**
 * The byte channel the Parley engine runs on. Transports (TCP, Unix, TLS) and the in-memory pairs in
 * `@parley/testkit` implement it; `@parley/peer` talks to nothing else. It lives here, in the lowest
 * layer, as a type only, so that transports and test tools can implement it without depending on the
 * engine.
 *
 * Contract, in the order things happen:
 * 1. A connection does not read until {@link Connection.attach} is called, so no byte is lost between
 *    creation and the engine taking over.
 * 2. {@link Connection.write} hands one batch of chunks to the channel as one write (writev/cork): the
 *    chunks of one call are never interleaved with another call's and never split by the channel.
 * 3. `write` returns `false` once {@link Connection.bufferedBytes} is at or above the channel's
 *    high-water mark; `onDrain` fires when it falls back below.
 * 4. {@link Connection.end} flushes what was written, then half-closes (FIN). Reading goes on until
 *    the remote end ends too.
 * 5. {@link Connection.reset} discards buffered output and aborts (TCP RST where the platform has it).
 * 6. `onClose` fires exactly once, last, when the channel is fully closed; `error` is set when it
 *    closed because of a failure (reset by peer, socket error) rather than a clean end on both sides.
 */
export interface Connection {
  /** Writes a batch of chunks as one write. Returns `false` when the caller should wait for `onDrain`. */
  write(chunks: readonly Uint8Array[]): boolean;
  /** Bytes accepted by `write` and not yet handed to the operating system. */
  readonly bufferedBytes: number;
  /**
   * True when the chunks of a write have been copied out of the caller's memory once
   * {@link Connection.bufferedBytes} is back to 0 (an operating-system socket), so a writer may
   * reuse that memory from then on. Absent or false: never reuse it (an in-memory pair hands the
   * chunks themselves to the other end).
   */
  readonly copiesWrites?: boolean;
  /** Graceful half-close: flush pending writes, then send end-of-stream (FIN). Idempotent. */
  end(): void;
  /** Abrupt close: drop pending writes and reset the channel (TCP RST where possible). Idempotent. */
  reset(error?: Error): void;
  /** Stops delivering `onData` (inbound backpressure); the channel's own buffers then fill. */
  pause(): void;
  /** Resumes delivering `onData` after {@link Connection.pause}. */
  resume(): void;
  /** Installs the handlers and starts reading. Called once. */
  attach(handlers: ConnectionHandlers): void;
  /** Whatever describes the remote end: `127.0.0.1:7000`, a socket path, `memory:b`. */
  readonly remoteAddress: string;
  /** Whatever describes the local end. */
  readonly localAddress: string;
  /**
   * TLS only: `length` bytes of keying material exported from the session under `label` (RFC 5705,
   * RFC 8446 §7.5), equal on both ends of one TLS session and on no other. The engine binds its
   * shared-secret proofs to it. Absent (or undefined) on a channel without such a session.
   */
  exportKeyingMaterial?(length: number, label: string): Uint8Array | undefined;
}

/** Callbacks a {@link Connection} delivers to its owner. */
export interface ConnectionHandlers {
  /** A chunk of bytes arrived. The chunk may be reused by nobody else: the owner may keep views of it. */
  onData(chunk: Uint8Array): void;
  /** The remote end sent end-of-stream (FIN): no more `onData` will follow. */
  onEnd(): void;
  /** `bufferedBytes` fell below the high-water mark after `write` returned `false`. */
  onDrain(): void;
  /** The channel is fully closed; fires exactly once and last. `error` is set on abnormal close. */
  onClose(error?: Error): void;
  /**
   * Optional: where the channel's next read should put its bytes, when the owner knows better than
   * a shared read buffer (the rest of a large frame, so it needs no assembly copy:
   * `LengthFieldDecoder.readTarget`). Asked only when every byte read so far has been delivered;
   * the bytes read there arrive through `onData` as a view of that region, before any other.
   * `next` is the region the read would fill otherwise, so the owner can keep it when it serves as
   * well. `undefined`: read as usual. A channel without such reads never asks.
   */
  readTarget?(minBytes: number, next?: Uint8Array): Uint8Array | undefined;
}
