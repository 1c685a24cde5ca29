/**
 * Whether an arriving Signal can go to a handler: its name in the contract this
 * side serves, a handler for it, a payload that decoded and passes the contract. A signal has no
 * answer, so a refused one is dropped, counted, and (but for a name with no handler, which a
 * serving side may leave out on purpose) logged.
 */
import type { AnyContract } from "@parley/codec";
import type { SignalMessage } from "./wire-messages.js";

/** The handler and the payload it gets, or why the signal is dropped. */
export type SignalAcceptance<H> =
  | { readonly ok: true; readonly handler: H; readonly payload: unknown }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly warn: boolean;
      readonly error?: unknown;
    };

/** `m` checked against the contract this side serves and its signal handlers. */
export function acceptSignal<H>(
  m: SignalMessage,
  serves: AnyContract | undefined,
  handlers: ReadonlyMap<string, H>,
): SignalAcceptance<H> {
  if (serves !== undefined && !serves.hasSignal(m.name)) {
    return { ok: false, reason: `signal ${m.name} is not in contract ${serves.name}`, warn: true };
  }
  const handler = handlers.get(m.name);
  if (handler === undefined) {
    return { ok: false, reason: `no handler for signal ${m.name}`, warn: false };
  }
  if (m.bodyError !== undefined) {
    const reason = `payload of signal ${m.name} could not be decoded`;
    return { ok: false, reason, warn: true, error: m.bodyError };
  }
  if (serves === undefined) return { ok: true, handler, payload: m.body };
  const parsed = serves.parseSignal(m.name, m.body);
  if (!parsed.ok) {
    return { ok: false, reason: `invalid signal ${m.name}`, warn: true, error: parsed.error };
  }
  return { ok: true, handler, payload: parsed.value };
}
