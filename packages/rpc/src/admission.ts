/**
 * Admission before authentication: what a server lets connections that have not finished their
 * Hello hold. They get their own bound (`maxHandshakingConnections`), apart from the authenticated
 * ones (`maxConnections`), so a flood of half-open connections can never lock real clients out:
 * when the bound is full the *oldest* handshaking connection is dropped, never an authenticated one.
 * Each may send at most `maxPreHelloBytes` before it is accepted (checked as each frame's length
 * header is read, before its payload is buffered), and all of them together at most
 * `maxHandshakingBytes`.
 */

import { type Connection, type ConnectionHandlers, sniffProtocol } from "@parley/framing";
import { integerOption } from "@parley/framing/internal";
import { MessageTooLargeError, OverloadedError } from "@parley/peer";
import { MAX_HELLO_BYTES } from "@parley/peer/internal";
import { NotParleyError } from "./foreign-protocol.js";

/** Default `maxHandshakingConnections`: connections in their Hello at once, apart from live ones. */
export const DEFAULT_MAX_HANDSHAKING_CONNECTIONS = 512;
/**
 * Default `maxPreHelloBytes`: 72 KiB, room for the largest Hello (`MAX_HELLO_BYTES`, 64 KiB of
 * metadata, token and member tables), its length prefix and the few small frames of the handshake.
 */
export const DEFAULT_MAX_PRE_HELLO_BYTES = MAX_HELLO_BYTES + 8_192;
/** Default `maxHandshakingBytes`: 8 MiB received by all not-yet-accepted connections together. */
export const DEFAULT_MAX_HANDSHAKING_BYTES = 8 * 1_048_576;
/** Bytes of the length prefix in front of every frame (docs/protocol.md §1). */
const PREFIX_BYTES = 4;

/** The limits of {@link Admission}, resolved. */
export interface AdmissionLimits {
  readonly maxHandshakingConnections: number;
  readonly maxPreHelloBytes: number;
  readonly maxHandshakingBytes: number;
}

/** The admission options of `serve()`, checked, with their defaults. */
export function resolveAdmissionLimits(options: {
  maxHandshakingConnections?: number;
  maxPreHelloBytes?: number;
  maxHandshakingBytes?: number;
}): AdmissionLimits {
  const maxPreHelloBytes = integerOption(
    "maxPreHelloBytes",
    options.maxPreHelloBytes,
    DEFAULT_MAX_PRE_HELLO_BYTES,
    1024,
  );
  return Object.freeze({
    maxHandshakingConnections: integerOption(
      "maxHandshakingConnections",
      options.maxHandshakingConnections,
      DEFAULT_MAX_HANDSHAKING_CONNECTIONS,
      1,
    ),
    maxPreHelloBytes,
    // At least one connection's worth, or a single large Hello could never be accepted.
    maxHandshakingBytes: integerOption(
      "maxHandshakingBytes",
      options.maxHandshakingBytes,
      DEFAULT_MAX_HANDSHAKING_BYTES,
      maxPreHelloBytes,
    ),
  });
}

/** Events of {@link Admission} the server reports. */
export interface AdmissionEvents {
  /** A handshaking connection was dropped to make room or for sending too much. */
  dropped(remoteAddress: string, error: Error): void;
}

/** What {@link Admission} needs of the peer built on a connection: a way to drop it. */
export interface Droppable {
  destroy(error: Error): void;
}

/** One connection in its handshake. */
export class AdmissionTicket {
  /** Bytes received so far, against `maxPreHelloBytes`. */
  bytes = 0;
  /** Of those, the bytes counted against the server-wide bound (a refused chunk never is). */
  held = 0;
  /** Bytes still to come of the frame being received (0: a length prefix is next). */
  private bodyLeft = 0;
  /** Length-prefix bytes seen of the next frame, and its value so far. */
  private prefixSeen = 0;
  private prefixValue = 0;
  private peer: Droppable | undefined;
  /** The stream's first bytes, kept to say what else the connector seems to speak. */
  private head: Uint8Array | undefined;
  /** Whether the admission dropped it (and reported why). */
  dropped = false;
  private state: "handshaking" | "admitted" | "gone" = "handshaking";

  constructor(
    private readonly admission: Admission,
    readonly remoteAddress: string,
  ) {}

  /** Whether the connection is still in its handshake. */
  get handshaking(): boolean {
    return this.state === "handshaking";
  }

  /** Gives the ticket the peer to drop when it must go. */
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

  /** Drops the connection with `error`. */
  drop(error: Error): void {
    if (this.state !== "handshaking") return;
    this.dropped = true;
    this.left();
    this.admission.events.dropped(this.remoteAddress, error);
    this.peer?.destroy(error);
  }

  /** Whether `chunk` may go on to the peer: always once admitted, never once dropped. */
  passes(chunk: Uint8Array): boolean {
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

/** The handshaking connections of one server, oldest first, and the bytes they hold. */
export class Admission {
  // A Set iterates in insertion order: its first entry is the oldest handshaking connection.
  private readonly tickets = new Set<AdmissionTicket>();
  private totalBytes = 0;

  constructor(
    readonly limits: AdmissionLimits,
    readonly events: AdmissionEvents,
  ) {}

  /** Connections in their handshake now. */
  get size(): number {
    return this.tickets.size;
  }

  /** Bytes all handshaking connections received so far. */
  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Admits `connection` to its handshake, dropping the oldest handshaking connection when the
   * bound is full, and guards its inbound bytes until it is admitted.
   */
  enter(connection: Connection): AdmissionTicket {
    while (this.tickets.size >= this.limits.maxHandshakingConnections) {
      const oldest = this.tickets.values().next().value!;
      oldest.drop(
        new OverloadedError(
          `dropped ${oldest.remoteAddress} in its handshake: maxHandshakingConnections (${this.limits.maxHandshakingConnections}) reached and it was the oldest; raise maxHandshakingConnections or handshake sooner`,
        ),
      );
    }
    const ticket = new AdmissionTicket(this, connection.remoteAddress);
    this.tickets.add(ticket);
    guardInbound(connection, ticket);
    return ticket;
  }

  /** @internal Adds bytes to the server-wide count, dropping the oldest until they fit. */
  counted(ticket: AdmissionTicket, bytes: number): boolean {
    ticket.held += bytes;
    this.totalBytes += bytes;
    while (this.totalBytes > this.limits.maxHandshakingBytes) {
      const oldest = this.tickets.values().next().value!;
      oldest.drop(
        new OverloadedError(
          `dropped ${oldest.remoteAddress} in its handshake: handshaking connections hold more than maxHandshakingBytes (${this.limits.maxHandshakingBytes}) together and it was the oldest`,
        ),
      );
    }
    return ticket.handshaking;
  }

  /** @internal A ticket left the handshake: its bytes no longer count. */
  release(ticket: AdmissionTicket): void {
    if (this.tickets.delete(ticket)) this.totalBytes -= ticket.held;
  }
}

/**
 * Puts the ticket between the transport and whoever attaches to `connection`. The connection's
 * own `attach` is shadowed on the instance rather than the connection wrapped, so every other
 * member (a transport's own properties) stays the transport's. The server marks the ticket
 * admitted when the engine accepts the remote's Hello (its `admit` hook: after the remote proved
 * itself, docs/protocol.md §5), not on the server's first write, which with `authSecrets` is the
 * challenge sent before any proof.
 */
function guardInbound(connection: Connection, ticket: AdmissionTicket): void {
  const attach = connection.attach.bind(connection);
  connection.attach = (handlers: ConnectionHandlers): void => {
    const onData = handlers.onData;
    attach({
      onData: (chunk) => {
        if (ticket.passes(chunk)) onData(chunk);
      },
      onEnd: () => handlers.onEnd(),
      onDrain: () => handlers.onDrain(),
      onClose: (error) => handlers.onClose(error),
      readTarget: handlers.readTarget?.bind(handlers),
    });
  };
}
