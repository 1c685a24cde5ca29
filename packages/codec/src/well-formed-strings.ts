/**
 * Lone surrogates on the msgpack wire. msgpackr writes strings under 64 UTF-16 units with its own
 * loop, which turns a lone surrogate into its 3-byte CESU-8 form (`ED A0 80`): invalid UTF-8 that
 * other implementations refuse (msgpack-python fails the whole message). Longer strings go through
 * Node's UTF-8 encoder, which writes U+FFFD (`EF BF BD`) per lone surrogate, as the WHATWG Encoding
 * Standard and `String.prototype.toWellFormed` do. This module gives every length that rule: the
 * value checker spots an ill-formed string (V8 answers `isWellFormed()` at once for one-byte
 * strings, so well-formed input pays almost nothing), and only then is the value copied with
 * `packableCopy` (packable-copy.ts) before packing.
 */

/** `String.prototype.isWellFormed` / `toWellFormed` (ES2024; Node 20 has them, our lib is ES2023). */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** Whether `text` holds no lone surrogate. */
export function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedString).isWellFormed();
}

/** `text` with each lone surrogate replaced by U+FFFD. */
export function toWellFormed(text: string): string {
  return (text as unknown as WellFormedString).toWellFormed();
}
