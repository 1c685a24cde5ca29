/**
 * One connection in its handshake, as the admission sees it: the bytes it sent (checked against
 * `maxPreHelloBytes` as each length prefix is read), and what becomes of it when it must go. A
 * dropped connection that sent its Hello is told why (a refusal Hello and HelloAck refuse, then
 * FIN, docs/protocol.md §5) rather than reset without a word.
 */
import { type Connection, type ConnectionHandlers, sniffProtocol } from "@parley/framing";
import { MessageTooLargeError } from "@parley/peer";
import { NotParleyError } from "./foreign-protocol.js";

/** Bytes of the length prefix in front of every frame (docs/protocol.md §1). */
const PREFIX_BYTES = 4;

/** What the admission needs of the peer built on a connection: a way to abort it. */
export interface Droppable {
  destroy(error: Error): void;
}

/** What a ticket needs of the admission that issued it (`Admission` in admission.ts). */
export interface TicketOwner {
  readonly limits: { readonly maxPreHelloBytes: number };
  readonly events: { dropped(remoteAddress: string, error: Error): void };
  /** Adds bytes to the server-wide count; false when the ticket was dropped to make them fit. */
  counted(ticket: AdmissionTicket, bytes: number): boolean;
  /** The ticket left its handshake. */
  release(ticket: AdmissionTicket): void;
  /** Refuses the connection with the error's code and message, then ends it. */
  refuse(connection: Connection, error: Error & { code: string }): void;
}

/** Anything that holds a handshaking slot: a connection in its Hello, or a socket in its TLS handshake. */
export interface AdmissionSlot {
  readonly remoteAddress: string;
  /** Bytes of this slot counted against `maxHandshakingBytes`. */
  readonly held: number;
  /** Ends the slot's connection with `error` and reports it; a no-op once it left. */
  drop(error: Error): void;
}

/** One connection in its Parley handshake. */
export class AdmissionTicket implements AdmissionSlot {
  readonly remoteAddress: string;
  /** Bytes received so far, against `maxPreHelloBytes`. */
  bytes = 0;
  /** Of those, the bytes counted against the server-wide bound (a refused chunk never is). */
  held = 0;
  /** Whether the admission dropped it (and reported why). */
  dropped = false;
  /** Bytes still to come of the frame being received (0: a length prefix is next). */
  private bodyLeft = 0;
  /** Length-prefix bytes seen of the next frame, and its value so far. */
  private prefixSeen = 0;
  private prefixValue = 0;
  /** A whole frame (the Hello) has arrived: a connector that far is a peer worth telling why. */
  private wholeFrame = false;
  private peer: Droppable | undefined;
  /** The stream's first bytes, kept to say what else the connector seems to speak. */
  private head: Uint8Array | undefined;
  private state: "handshaking" | "admitted" | "gone" = "handshaking";
  /** The transport's own `write`, shadowed on the instance until the first write. */
  private readonly write: Connection["write"];
  /** Who gets the transport's events: the peer's handlers, or a refusal's once dropped. */
  private handlers: ConnectionHandlers | undefined;
  private refusing: ConnectionHandlers | undefined;

  constructor(
    private readonly admission: TicketOwner,
    private readonly connection: Connection,
  ) {
    this.remoteAddress = connection.remoteAddress;
    this.write = connection.write;
    this.guard();
  }

  /** Whether the connection is still in its handshake. */
  get handshaking(): boolean {
    return this.state === "handshaking";
  }

  /** Gives the ticket the peer to abort when the connection cannot be told why it goes. */
  bind(peer: Droppable): void {
    this.peer = peer;
  }

  /** The Hello completed: the connection is authenticated and no longer counted here. */
  admitted(): void {
    if (this.state !== "handshaking") return;
    this.state = "admitted";
    this.admission.release(this);
  }

  /** The connection ended (or its handshake failed). */
  left(): void {
    if (this.state !== "handshaking") return;
    this.state = "gone";
    this.admission.release(this);
  }

  /** Drops the connection with `error`, reported to the server's `refuse` event. */
  drop(error: Error): void {
    if (this.state !== "handshaking") return;
    this.dropped = true;
    this.left();
    this.admission.events.dropped(this.remoteAddress, error);
    this.goAway(error);
  }

  /**
   * Ends the connection. The server has written nothing yet but, with `authSecrets`, its
   * challenge (its Hello waits for the admission), and a connector takes a refusal Hello before
   * the server's Hello whether or not a challenge came first, so a refusal is always in turn: the
   * connector's `ready` rejects with the
   * error's code (`OVERLOADED` retryable, `MESSAGE_TOO_LARGE` with the option to raise) instead of
   * a bare `CONNECTION_LOST`. A connector that speaks another protocol is reset: it would not read
   * a refusal. So is one dropped to make room before it sent a whole frame: a Parley client sends
   * its Hello at once, and a flood of connections that never do must cost the server no more than
   * a reset each (refusing them all kept the accept queue full for seconds under load).
   */
  private goAway(error: Error): void {
    const silent = !this.wholeFrame && !(error instanceof MessageTooLargeError);
    if (error instanceof NotParleyError || silent) {
      this.peer?.destroy(error);
      return;
    }
    // The engine goes on believing it handshakes; what it writes from now on goes nowhere, and
    // it settles when the connection closes.
    this.connection.write = () => true;
    this.admission.refuse(this.refusalSide(), error as Error & { code: string });
  }

  /**
   * The connection as the refusal sees it: the transport's own write, end and reset, and
   * handlers that take over from the peer's (the peer still hears the close).
   */
  private refusalSide(): Connection {
    const connection = this.connection;
    const write = this.write;
    return {
      write: (chunks) => write.call(connection, chunks),
      get bufferedBytes() {
        return connection.bufferedBytes;
      },
      end: () => connection.end(),
      reset: (error) => connection.reset(error),
      pause: () => connection.pause(),
      resume: () => connection.resume(),
      attach: (handlers) => {
        this.refusing = handlers;
        // Dropped before its engine attached: start reading now, every event to the refusal.
        if (this.handlers === undefined) connection.attach(handlers);
        connection.resume(); // the engine may have paused it (an asynchronous verifier)
      },
      remoteAddress: connection.remoteAddress,
      localAddress: connection.localAddress,
    };
  }

  /**
   * Puts the ticket between the transport and whoever attaches to the connection. The
   * connection's own `attach` is shadowed on the instance rather than the connection wrapped, so
   * every other member (a transport's own properties) stays the transport's.
   *
   * The server marks the ticket admitted when the engine accepts the remote's Hello (its `admit`
   * hook, after the remote proved itself, docs/protocol.md §5), not on the server's first write,
   * which with `authSecrets` is the challenge sent before any proof: from then on it is never
   * dropped to make room, even before the remote's HelloAck arrives.
   */
  private guard(): void {
    const connection = this.connection;
    const attach = connection.attach.bind(connection);
    connection.attach = (handlers: ConnectionHandlers): void => {
      this.handlers = handlers;
      attach({
        onData: (chunk) => {
          if (this.refusing !== undefined) this.refusing.onData(chunk);
          else if (this.passes(chunk)) handlers.onData(chunk);
        },
        onEnd: () => (this.refusing ?? handlers).onEnd(),
        onDrain: () => (this.refusing ?? handlers).onDrain(),
        onClose: (error) => {
          this.refusing?.onClose(error);
          if (handlers !== this.refusing) handlers.onClose(error);
        },
        // The engine's own read buffer, while the bytes are still the engine's to read.
        ...(handlers.readTarget === undefined
          ? {}
          : {
              readTarget: (minBytes: number, next?: Uint8Array) =>
                this.refusing === undefined ? handlers.readTarget?.(minBytes, next) : undefined,
            }),
      });
    };
  }

  /** Whether `chunk` may go on to the peer: always once admitted, never once dropped. */
  private passes(chunk: Uint8Array): boolean {
    if (this.state === "admitted") return true;
    return this.state === "handshaking" && this.accept(chunk);
  }

  /**
   * Counts `chunk`, and walks its frame boundaries to read every length prefix as it completes.
   * False when the connection must be dropped (it was, and the chunk must not go further).
   */
  private accept(chunk: Uint8Array): boolean {
    this.head ??= chunk.slice(0, 16);
    this.bytes += chunk.length;
    const cap = this.admission.limits.maxPreHelloBytes;
    if (this.bytes > cap) return this.tooMuch(`sent ${this.bytes} bytes`);
    let at = 0;
    while (at < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= take;
        at += take;
        if (this.bodyLeft === 0) this.wholeFrame = true;
        continue;
      }
      this.prefixValue = this.prefixValue * 256 + chunk[at]!;
      this.prefixSeen++;
      at++;
      if (this.prefixSeen < PREFIX_BYTES) continue;
      // The whole frame must fit under the cap: refuse it now, before its payload arrives.
      const frameEnd = this.bytes - (chunk.length - at) + this.prefixValue;
      if (frameEnd > cap) return this.tooMuch(`announced a ${this.prefixValue}-byte frame`);
      this.bodyLeft = this.prefixValue;
      if (this.bodyLeft === 0) this.wholeFrame = true;
      this.prefixSeen = 0;
      this.prefixValue = 0;
    }
    return this.admission.counted(this, chunk.length);
  }

  private tooMuch(what: string): false {
    const cap = this.admission.limits.maxPreHelloBytes;
    // A "length" of 0x47455420 is "GET ": say what the connector seems to speak instead.
    const protocol = this.head === undefined ? undefined : sniffProtocol(this.head);
    if (protocol !== undefined) {
      this.drop(new NotParleyError(protocol, this.remoteAddress));
      return false;
    }
    this.drop(
      new MessageTooLargeError(
        `${this.remoteAddress} ${what} before its Hello was accepted, more than maxPreHelloBytes (${cap}); raise maxPreHelloBytes on the server if its Hello is that large`,
      ),
    );
    return false;
  }
}
