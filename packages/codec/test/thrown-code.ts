/** Test support: the stable code of what an action throws. */
import type { CodecError } from "../src/index.js";

/** The `code` of what `action` throws (a {@link CodecError}'s), or undefined when it does not throw. */
export function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as CodecError).code;
  }
  return undefined;
}
