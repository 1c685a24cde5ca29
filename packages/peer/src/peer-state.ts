/**
 * The peer's lifecycle as an explicit state machine. The state changes only through
 * {@link transition}, which refuses any move the table does not allow.
 *
 * ```
 *   handshaking ──ready──> open ──close()/Bye──> closing ──FIN both ways──> closed
 *        │                  │                                                 ^
 *        └──failure─────────┴──failure / destroy() / timeout ────────────────┘
 *           close()
 * ```
 *
 * There is no handshaking -> closing: Bye is only exchanged once ready, so close() before ready
 * abandons the handshake (straight to closed, `ready` rejects UNAVAILABLE).
 */

/** Lifecycle state of a peer. */
export const PeerState = {
  /** Hello sent, waiting for the remote's Hello and HelloAck. Calls wait. */
  Handshaking: "handshaking",
  /** Ready: calls and signals flow both ways. */
  Open: "open",
  /** Bye sent or received: no new calls; in-flight work finishes within `closeTimeoutMs`. */
  Closing: "closing",
  /** Done: nothing more happens. `closed` resolves once the connection is fully closed too. */
  Closed: "closed",
} as const;

/** One of the {@link PeerState} values. */
export type PeerState = (typeof PeerState)[keyof typeof PeerState];

const ALLOWED: Readonly<Record<PeerState, readonly PeerState[]>> = {
  handshaking: ["open", "closed"],
  open: ["closing", "closed"],
  closing: ["closed"],
  closed: [],
};

/** True when the table allows `from -> to`. */
export function canTransition(from: PeerState, to: PeerState): boolean {
  return ALLOWED[from].includes(to);
}

/**
 * Returns `to` when `from -> to` is allowed.
 * @throws Error when it is not: a bug in the engine, never a condition of the remote.
 */
export function transition(from: PeerState, to: PeerState): PeerState {
  if (!canTransition(from, to)) {
    throw new Error(`peer state cannot go from ${from} to ${to}`);
  }
  return to;
}
