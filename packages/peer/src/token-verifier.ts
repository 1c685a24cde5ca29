/**
 * A constant-time `verifyAuth` for the 1.0/1.1 token, which travels in clear in the Hello: kept for
 * older peers under `allowLegacyAuth`. Between 1.2 peers, `authSecrets` proves the secret without
 * sending it (docs/protocol.md §5).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { InvalidOptionError } from "@parley/framing";

/**
 * A `verifyAuth` that accepts exactly the given token(s), comparing in constant time: both sides
 * are hashed (SHA-256) first, so neither the content nor the length of a secret leaks through
 * timing, and every accepted token is compared (no early exit). Several tokens allow rotation.
 *
 * @throws {InvalidOptionError} INVALID_OPTION when no non-empty token is given.
 * @example
 * createPeer(connection, {
 *   serves, handlers, allowLegacyAuth: true, verifyAuth: createTokenVerifier(process.env.TOKEN!),
 * });
 */
export function createTokenVerifier(
  expected: string | readonly string[],
): (token: string | undefined) => boolean {
  const tokens = typeof expected === "string" ? [expected] : [...expected];
  if (tokens.length === 0 || tokens.some((t) => typeof t !== "string" || t === "")) {
    throw new InvalidOptionError("createTokenVerifier needs one or more non-empty token strings");
  }
  const digests = tokens.map(digest);
  return (token) => {
    const given = digest(token ?? "");
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, given) || ok;
    return ok && token !== undefined;
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
