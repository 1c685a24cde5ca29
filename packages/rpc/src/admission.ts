/**
 * Admission before authentication: what a server lets connections that have not finished their
 * handshakes (TLS, then the Parley Hello) hold. They get their own bound (`maxHandshakingConnections`), apart from the authenticated
 * ones (`maxConnections`), so a flood of half-open connections can never lock real clients out:
 * when the bound is full the *oldest* handshaking connection is dropped, never an authenticated one.
 * Each may send at most `maxPreHelloBytes` before it is accepted (checked as each frame's length
 * header is read, before its payload is buffered), and all of them together at most
 * `maxHandshakingBytes`.
 */

import type { Connection } from "@parley/framing";
import { integerOption } from "@parley/framing/internal";
import { OverloadedError, refuseConnection } from "@parley/peer";
import { MAX_HELLO_BYTES } from "@parley/peer/internal";
import type { TlsHandshakeAdmission } from "@parley/transport-tls";
import { type AdmissionSlot, AdmissionTicket } from "./admission-ticket.js";

/** Default `maxHandshakingConnections`: connections in their Hello at once, apart from live ones. */
export const DEFAULT_MAX_HANDSHAKING_CONNECTIONS = 512;
/**
 * Default `maxPreHelloBytes`: 72 KiB, room for the largest Hello (`MAX_HELLO_BYTES`, 64 KiB of
 * metadata, token and member tables), its length prefix and the few small frames of the handshake.
 */
export const DEFAULT_MAX_PRE_HELLO_BYTES = MAX_HELLO_BYTES + 8_192;
/** Default `maxHandshakingBytes`: 8 MiB received by all not-yet-accepted connections together. */
export const DEFAULT_MAX_HANDSHAKING_BYTES = 8 * 1_048_576;
/**
 * How long a refused connection may stay open after its refusal before it is reset: long enough
 * for a client to read the refusal and close (so no reset destroys it unread), short enough that
 * a connector that never goes holds nothing for long.
 */
export const REFUSAL_LINGER_MS = 2_000;

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

/**
 * The handshaking connections of one server, oldest first, and the bytes they hold; also the
 * connections being refused, each for at most {@link REFUSAL_LINGER_MS}.
 */
export class Admission implements TlsHandshakeAdmission {
  // A Set iterates in insertion order: its first entry is the oldest handshaking connection.
  private readonly slots = new Set<AdmissionSlot>();
  private readonly refused = new Set<Connection>();
  private totalBytes = 0;

  constructor(
    readonly limits: AdmissionLimits,
    readonly events: AdmissionEvents,
  ) {}

  /** Connections in their handshake now (TLS or Parley). */
  get size(): number {
    return this.slots.size;
  }

  /** Bytes all handshaking connections received so far. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Refused connections not yet closed. */
  get refusing(): number {
    return this.refused.size;
  }

  /**
   * Admits `connection` to its Parley handshake, dropping the oldest handshaking connection when
   * the bound is full, and guards its inbound bytes until it is admitted.
   */
  enter(connection: Connection): AdmissionTicket {
    this.makeRoom();
    const ticket = new AdmissionTicket(this, connection);
    this.slots.add(ticket);
    return ticket;
  }

  /**
   * A socket begins its TLS handshake (the listener's hook): it holds a slot like a connection in
   * its Hello until the returned function is called (handshake done or failed).
   */
  enterTlsHandshake(remoteAddress: string, drop: (error: Error) => void): () => void {
    this.makeRoom();
    const slot: AdmissionSlot = {
      remoteAddress,
      held: 0,
      drop: (error) => {
        if (!this.slots.delete(slot)) return;
        this.events.dropped(remoteAddress, error);
        drop(error);
      },
    };
    this.slots.add(slot);
    return () => {
      this.slots.delete(slot);
    };
  }

  /**
   * Refuses `connection` with `error`'s code and message (refusal Hello, HelloAck refuse, FIN)
   * and resets it after {@link REFUSAL_LINGER_MS} if the other side lingers. What it sends meanwhile
   * is read and discarded; at most `maxHandshakingConnections` refusals are open at once (the
   * oldest is reset to make room), so refused connectors can hold neither memory nor sockets.
   */
  refuse(connection: Connection, error: Error & { code: string }): void {
    while (this.refused.size >= this.limits.maxHandshakingConnections) {
      const oldest = this.refused.values().next().value!;
      this.refused.delete(oldest);
      oldest.reset();
    }
    this.refused.add(connection);
    const refusal = { code: error.code, message: error.message };
    void refuseConnection(connection, refusal, { timeoutMs: REFUSAL_LINGER_MS }).then(() =>
      this.refused.delete(connection),
    );
  }

  /** @internal Adds bytes to the server-wide count, dropping the oldest until they fit. */
  counted(ticket: AdmissionTicket, bytes: number): boolean {
    ticket.held += bytes;
    this.totalBytes += bytes;
    while (this.totalBytes > this.limits.maxHandshakingBytes) {
      const oldest = this.slots.values().next().value!;
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
    if (this.slots.delete(ticket)) this.totalBytes -= ticket.held;
  }

  /** Drops the oldest handshaking connections until one more fits. */
  private makeRoom(): void {
    while (this.slots.size >= this.limits.maxHandshakingConnections) {
      const oldest = this.slots.values().next().value!;
      oldest.drop(
        new OverloadedError(
          `dropped ${oldest.remoteAddress} in its handshake: maxHandshakingConnections (${this.limits.maxHandshakingConnections}) reached and it was the oldest; raise maxHandshakingConnections or handshake sooner`,
        ),
      );
    }
  }
}
