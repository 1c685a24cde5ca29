/**
 * The authentication options of a peer, checked once: `authSecrets` (proved, never sent, protocol
 * 1.2), `allowLegacyAuth` (serve 1.0/1.1 peers, whose only credential is a token in clear),
 * `authToken` (that legacy token), `authChannelBinding`.
 */
import { InvalidOptionError } from "@parley/framing";
import { booleanOption, describe } from "@parley/framing/internal";
import type { RemoteHello } from "./peer-types.js";
import { MAX_STR8_BYTES, MAX_STR16_BYTES } from "./wire-constants.js";

/**
 * Shortest secret accepted: a sniffed handshake lets an attacker test guesses offline, so a
 * secret must be long and random (16 bytes is 128 bits when it is random).
 */
export const MIN_AUTH_SECRET_BYTES = 16;
/** Longest secret accepted. */
export const MAX_AUTH_SECRET_BYTES = 1024;

/** One shared secret, with the id that names it (`ctx.connection.identity`, `authKeyId`). */
export interface AuthSecret {
  /** Names the secret: the remote that proves it gets this as its `authKeyId`. */
  readonly id: string;
  /** The secret: at least 16 bytes, long and random. */
  readonly secret: string;
}

/** `authSecrets` as the option takes it: one secret, or several (rotation). */
export type AuthSecretsOption = string | readonly (string | AuthSecret)[];

/** The authentication options of `createPeer` (docs/protocol.md §5 says what each protects). */
export interface AuthOptions {
  /**
   * Shared secrets (protocol 1.2): this side proves it holds one, and asks the remote to prove it
   * holds one, with HMACs over fresh nonces; no secret ever travels (docs/protocol.md §5). A string,
   * or several for rotation (strings or `{ id, secret }`; the remote's `authKeyId` names the one it
   * proved). A connecting side proves with the first. Each at least 16 bytes, long and random.
   * @default none: this side neither proves nor asks for a secret
   */
  authSecrets?: AuthSecretsOption;
  /**
   * Serve 1.0/1.1 peers, whose only credential is `authToken` sent in clear in their Hello: an
   * accepting side with `authSecrets` checks their token against the secrets; a connecting side
   * sends its `authToken` and accepts a 1.0/1.1 server on `verifyAuth` alone. Off: such a peer is
   * refused UNAUTHENTICATED, naming this option. @default false
   */
  allowLegacyAuth?: boolean;
  /**
   * Over TLS, bind the proofs to the TLS session (its exported keying material), so a proof made
   * on one session never verifies on another. A TLS-terminating proxy between the two sides breaks
   * the binding: turn it off on both sides only when such a proxy is trusted. @default true
   */
  authChannelBinding?: boolean;
  /**
   * Legacy (1.0/1.1) credential, sent in clear in this side's Hello; needs `allowLegacyAuth`.
   * @default none
   */
  authToken?: string;
  /**
   * A custom check of the remote, run after its proof (`hello.authKeyId` names the secret it
   * proved) and the contract checks; it gets the remote's Hello token only under
   * `allowLegacyAuth`. Returning false (or throwing) refuses with UNAUTHENTICATED.
   * @default accept everyone who passed the other checks
   */
  verifyAuth?: (token: string | undefined, hello: RemoteHello) => boolean | Promise<boolean>;
}

/** A secret ready for HMAC. */
export interface AuthKey {
  readonly id: string | undefined;
  readonly key: Buffer;
}

/** The authentication options, resolved. */
export interface ResolvedAuthOptions {
  /** Undefined: this side proves nothing and asks no proof. */
  readonly authSecrets: readonly AuthKey[] | undefined;
  readonly allowLegacyAuth: boolean;
  readonly authChannelBinding: boolean;
  readonly authToken: string | undefined;
}

/**
 * @throws {InvalidOptionError} INVALID_OPTION naming the option and its rule; `authToken` without
 *   `allowLegacyAuth`, since it would travel in clear.
 */
export function resolveAuthOptions(o: {
  authSecrets?: unknown;
  allowLegacyAuth?: unknown;
  authChannelBinding?: unknown;
  authToken?: unknown;
}): ResolvedAuthOptions {
  const allowLegacyAuth = booleanOption("allowLegacyAuth", o.allowLegacyAuth, false);
  const authToken = tokenOption(o.authToken);
  if (authToken !== undefined && !allowLegacyAuth) {
    throw new InvalidOptionError(
      "authToken is sent in clear in the Hello (protocol 1.0/1.1); give the secret as authSecrets " +
        "instead (proved, never sent), or set allowLegacyAuth: true while 1.0/1.1 peers remain",
    );
  }
  return Object.freeze({
    authSecrets: secretsOption(o.authSecrets),
    allowLegacyAuth,
    authChannelBinding: booleanOption("authChannelBinding", o.authChannelBinding, true),
    authToken,
  });
}

function secretsOption(value: unknown): readonly AuthKey[] | undefined {
  if (value === undefined) return undefined;
  const entries = typeof value === "string" ? [value] : value;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new InvalidOptionError(
      `authSecrets must be a secret string or a non-empty array of secrets and { id, secret } entries (got ${describe(value)})`,
    );
  }
  const ids = new Set<string>();
  return Object.freeze(
    entries.map((entry: unknown, i: number) => {
      const named = typeof entry === "object" && entry !== null;
      const id = named ? (entry as { id?: unknown }).id : undefined;
      const secret = named ? (entry as { secret?: unknown }).secret : entry;
      if (
        named &&
        (typeof id !== "string" || id === "" || Buffer.byteLength(id) > MAX_STR8_BYTES)
      ) {
        throw new InvalidOptionError(`authSecrets[${i}].id must be a non-empty string`);
      }
      if (id !== undefined && ids.has(id as string)) {
        throw new InvalidOptionError(`authSecrets[${i}].id "${id}" is listed twice`);
      }
      if (id !== undefined) ids.add(id as string);
      return Object.freeze({ id: id as string | undefined, key: secretBytes(secret, i) });
    }),
  );
}

function secretBytes(secret: unknown, i: number): Buffer {
  const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : undefined;
  if (
    bytes === undefined ||
    bytes.length < MIN_AUTH_SECRET_BYTES ||
    bytes.length > MAX_AUTH_SECRET_BYTES
  ) {
    throw new InvalidOptionError(
      `authSecrets[${i}] must be a string of ${MIN_AUTH_SECRET_BYTES} to ${MAX_AUTH_SECRET_BYTES} bytes ` +
        "(a recorded handshake lets guesses be tested offline: use a long random one, e.g. " +
        'randomBytes(32).toString("base64url"))',
    );
  }
  return bytes;
}

function tokenOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || Buffer.byteLength(value) > MAX_STR16_BYTES) {
    throw new InvalidOptionError(`authToken must be a string of at most ${MAX_STR16_BYTES} bytes`);
  }
  return value === "" ? undefined : value;
}
