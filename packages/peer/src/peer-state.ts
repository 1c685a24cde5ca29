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

/**
 * True when a peer shown as `from` may come to be shown as `to`: the engine's own table seen
 * through {@link PUBLIC_STATE}, so the public lifecycle cannot drift from the engine's.
 */
export function canTransition(from: PeerState, to: PeerState): boolean {
  if (from === to) return false;
  return (Object.keys(ENGINE_ALLOWED) as EngineState[]).some(
    (e) => PUBLIC_STATE[e] === from && ENGINE_ALLOWED[e].some((next) => PUBLIC_STATE[next] === to),
  );
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

/**
 * The engine's own states: the public four, with the ends of `closing` and `closed` told apart
 * where the engine acts differently. Each moves only to a later one.
 *
 * ```
 *   handshaking ──> open ──> closing ──ByeAck both ways──> finishing ──connection closed──> closed
 *        │           │          │                              │                             ^
 *        └───────────┴──────────┴───failure──> failed ─────────┴──────connection closed──────┘
 * ```
 */
export const EngineState = {
  Handshaking: "handshaking",
  Open: "open",
  Closing: "closing",
  /** ByeAck went both ways and FIN is sent; nothing more is written; waiting for the close. */
  Finishing: "finishing",
  /** Ended by a failure; the connection may still be closing. */
  Failed: "failed",
  /** The connection is closed too: `closed` has resolved. */
  Closed: "closed",
} as const;

/** One of the {@link EngineState} values. */
export type EngineState = (typeof EngineState)[keyof typeof EngineState];

const ENGINE_ALLOWED: Readonly<Record<EngineState, readonly EngineState[]>> = {
  handshaking: ["open", "failed"],
  open: ["closing", "failed"],
  closing: ["finishing", "failed"],
  finishing: ["failed", "closed"],
  failed: ["closed"],
  closed: [],
};

/** The public state an engine state shows as. */
export const PUBLIC_STATE: Readonly<Record<EngineState, PeerState>> = {
  handshaking: "handshaking",
  open: "open",
  closing: "closing",
  finishing: "closing",
  failed: "closed",
  closed: "closed",
};

/**
 * Returns `to` when the engine may go from `from` to `to`.
 * @throws Error when it may not: a bug in the engine, never a condition of the remote.
 */
export function engineTransition(
  from: EngineState,
  expectedFrom: EngineState | readonly EngineState[],
  to: EngineState,
): EngineState {
  checkedTransition("peer engine", from, expectedFrom, to);
  if (!ENGINE_ALLOWED[from].includes(to)) {
    throw new Error(`peer engine state cannot go from ${from} to ${to}`);
  }
  return to;
}

/**
 * Returns `to` when `current` is `expectedFrom` (or one of them): the one guard every state
 * machine of a peer (engine, Hello, Bye) changes state through.
 * @throws Error when it is not: a bug in the engine, never a condition of the remote.
 */
export function checkedTransition<S extends string>(
  what: string,
  current: S,
  expectedFrom: S | readonly S[],
  to: S,
): S {
  const ok =
    typeof expectedFrom === "string" ? current === expectedFrom : expectedFrom.includes(current);
  if (!ok) throw new Error(`${what} state cannot go from ${current} to ${to}`);
  return to;
}

/** States a failure can end. */
export const LIVE_STATES: readonly EngineState[] = [
  EngineState.Handshaking,
  EngineState.Open,
  EngineState.Closing,
  EngineState.Finishing,
];
