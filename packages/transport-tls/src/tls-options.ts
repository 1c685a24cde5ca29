import { createSecureContext, type SecureContext } from "node:tls";
import { InvalidOptionError } from "@parley/framing";
import {
  booleanOption,
  functionOption,
  integerOption,
  MAX_TIMER_MS,
  objectOption,
  oneOfOption,
  optionNames,
  rejectUnknownOptions,
} from "@parley/framing/internal";
import type { TcpConnectOptions, TcpListenOptions } from "@parley/transport-net";
import {
  type ResolvedTcpConnectOptions,
  type ResolvedTcpListenOptions,
  resolveTcpConnectOptions,
  resolveTcpListenOptions,
  TCP_CONNECT_OPTION_NAMES,
  TCP_LISTEN_OPTION_NAMES,
} from "@parley/transport-net/internal";
import type { TlsHandshakeError, TlsHandshakeTimeoutError } from "./errors.js";

/** The lowest TLS version accepted by default: TLS 1.0 and 1.1 are broken and retired (RFC 8996). */
export const DEFAULT_TLS_MIN_VERSION = "TLSv1.2";
/** How long a TLS handshake may take (Node's own default, 120 s, ties up a server for too long). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** TLS versions `minVersion` accepts. */
export type TlsMinVersion = "TLSv1.2" | "TLSv1.3";

/** PEM text or buffers: one item or a list (a chain, several CAs). */
export type PemInput = string | Buffer | readonly (string | Buffer)[];

/** A handshake that failed on the server's side: a client's problem, reported, not thrown. */
export type TlsClientErrorHandler = (error: TlsHandshakeError | TlsHandshakeTimeoutError) => void;

/**
 * Counts sockets in their TLS handshake against a bound the listener's owner keeps (rpc's
 * `maxHandshakingConnections`), so a flood of half-done TLS handshakes cannot exhaust the server.
 */
export interface TlsHandshakeAdmission {
  /**
   * A TCP connection arrived and its TLS handshake begins. `drop` destroys its socket (the owner
   * needs the room). Returns the function that ends its count, called once the handshake completes
   * or fails.
   */
  enterTlsHandshake(remoteAddress: string, drop: (error: Error) => void): () => void;
}

/** Options both ends share. */
export interface TlsCommonOptions {
  /**
   * The lowest TLS version accepted.
   * @default "TLSv1.2" ({@link DEFAULT_TLS_MIN_VERSION})
   */
  minVersion?: TlsMinVersion;
  /**
   * Give up a handshake after this long (`TLS_HANDSHAKE_TIMEOUT`).
   * @default 10000 ({@link DEFAULT_HANDSHAKE_TIMEOUT_MS})
   */
  handshakeTimeoutMs?: number;
  /** Passphrase of an encrypted `key`. */
  passphrase?: string;
}

/** Options of `listenTls`: those of `listenTcp`, plus the server's identity. */
export interface TlsListenOptions extends TcpListenOptions, TlsCommonOptions {
  /** The server's certificate chain, PEM (leaf first). Required. */
  cert: PemInput;
  /** The server's private key, PEM. Required. */
  key: string | Buffer;
  /** CAs that sign client certificates; required with `mutual`. */
  ca?: PemInput;
  /**
   * Mutual TLS: require a client certificate signed by `ca` and refuse the handshake otherwise.
   * @default false
   */
  mutual?: boolean;
  /** Receives each failed handshake (`TLS_HANDSHAKE_FAILED`, `TLS_HANDSHAKE_TIMEOUT`). @default ignored */
  onClientError?: TlsClientErrorHandler;
  /**
   * Counts each socket from its TCP connection until its TLS handshake ends, and may drop it.
   * @default none: only `handshakeTimeoutMs` bounds a handshake
   */
  handshakeAdmission?: TlsHandshakeAdmission;
}

/** Options of `connectTls`: those of `connectTcp`, plus whom to trust and who to be. */
export interface TlsConnectOptions extends TcpConnectOptions, TlsCommonOptions {
  /** CAs trusted to sign the server's certificate. @default Node's bundled Mozilla roots */
  ca?: PemInput;
  /** The client's certificate chain, PEM, for mutual TLS (with `key`). */
  cert?: PemInput;
  /** The client's private key, PEM, for mutual TLS (with `cert`). */
  key?: string | Buffer;
  /**
   * Name sent as SNI and checked against the server's certificate.
   * @default `host` when it is a name; none for an IP literal (the certificate's IP entries are checked)
   */
  servername?: string;
}

/** The certificate material of a server, checked to load. @internal */
export interface ServerIdentity {
  readonly cert: string | Buffer | (string | Buffer)[];
  readonly key: string | Buffer;
  readonly ca: string | Buffer | (string | Buffer)[] | undefined;
  readonly passphrase: string | undefined;
}

/** Resolved {@link TlsListenOptions}. @internal */
export interface ResolvedTlsListenOptions extends ResolvedTcpListenOptions {
  /** Passed to `tls.createServer` as is (it builds its own context and ignores a given one). */
  readonly identity: ServerIdentity;
  readonly mutual: boolean;
  readonly handshakeTimeoutMs: number;
  readonly minVersion: TlsMinVersion;
  readonly onClientError: TlsClientErrorHandler | undefined;
  readonly handshakeAdmission: TlsHandshakeAdmission | undefined;
}

/** Resolved {@link TlsConnectOptions}. @internal */
export interface ResolvedTlsConnectOptions extends ResolvedTcpConnectOptions {
  readonly secureContext: SecureContext;
  readonly servername: string | undefined;
  readonly handshakeTimeoutMs: number;
}

const MIN_VERSIONS: readonly TlsMinVersion[] = ["TLSv1.2", "TLSv1.3"];

const COMMON_NAMES = { minVersion: true, handshakeTimeoutMs: true, passphrase: true } as const;

/** Every option `listenTls` accepts: `listenTcp`'s and the TLS ones (typed, so none is missed). */
const TLS_LISTEN_OPTION_NAMES = [
  ...TCP_LISTEN_OPTION_NAMES,
  ...optionNames<Omit<TlsListenOptions, keyof TcpListenOptions>>({
    ...COMMON_NAMES,
    cert: true,
    key: true,
    ca: true,
    mutual: true,
    onClientError: true,
    handshakeAdmission: true,
  }),
];

/** Every option `connectTls` accepts: `connectTcp`'s and the TLS ones. */
const TLS_CONNECT_OPTION_NAMES = [
  ...TCP_CONNECT_OPTION_NAMES,
  ...optionNames<Omit<TlsConnectOptions, keyof TcpConnectOptions>>({
    ...COMMON_NAMES,
    cert: true,
    key: true,
    ca: true,
    servername: true,
  }),
];

/** Resolves and validates {@link TlsListenOptions}, loading the certificates once. @internal */
export function resolveTlsListenOptions(options: TlsListenOptions): ResolvedTlsListenOptions {
  const tcp = resolveTcpListenOptions(options);
  rejectUnknownOptions("listenTls()", options, TLS_LISTEN_OPTION_NAMES, {
    what: "connectTls()",
    names: TLS_CONNECT_OPTION_NAMES,
  });
  const o = options as Partial<TlsListenOptions>;
  requirePem("cert", o.cert, true);
  requirePem("key", o.key, true);
  requirePem("ca", o.ca, false);
  const mutual = booleanOption("mutual", o.mutual, false);
  if (mutual && o.ca === undefined) {
    throw new InvalidOptionError(
      "mutual TLS needs ca: the CA certificates that sign client certificates",
    );
  }
  const minVersion = oneOfOption("minVersion", o.minVersion, DEFAULT_TLS_MIN_VERSION, MIN_VERSIONS);
  return Object.freeze({
    ...tcp,
    mutual,
    minVersion,
    handshakeTimeoutMs: handshakeTimeout(o.handshakeTimeoutMs),
    onClientError: functionOption<TlsClientErrorHandler>("onClientError", o.onClientError),
    handshakeAdmission: admissionOption(o.handshakeAdmission),
    identity: checkedIdentity(o, minVersion),
  });
}

/** Resolves and validates {@link TlsConnectOptions}, loading the certificates once. @internal */
export function resolveTlsConnectOptions(options: TlsConnectOptions): ResolvedTlsConnectOptions {
  const tcp = resolveTcpConnectOptions(options);
  rejectUnknownOptions("connectTls()", options, TLS_CONNECT_OPTION_NAMES, {
    what: "listenTls()",
    names: TLS_LISTEN_OPTION_NAMES,
  });
  const o = options as Partial<TlsConnectOptions>;
  if ((o.cert === undefined) !== (o.key === undefined)) {
    throw new InvalidOptionError("cert and key go together: give both for mutual TLS, or neither");
  }
  if (o.servername !== undefined && (typeof o.servername !== "string" || o.servername === "")) {
    throw new InvalidOptionError("servername must be a non-empty host name");
  }
  requirePem("cert", o.cert, false);
  requirePem("key", o.key, false);
  requirePem("ca", o.ca, false);
  const minVersion = oneOfOption("minVersion", o.minVersion, DEFAULT_TLS_MIN_VERSION, MIN_VERSIONS);
  return Object.freeze({
    ...tcp,
    servername: o.servername,
    handshakeTimeoutMs: handshakeTimeout(o.handshakeTimeoutMs),
    secureContext: loadContext(o, minVersion),
  });
}

function admissionOption(value: unknown): TlsHandshakeAdmission | undefined {
  const admission = objectOption<TlsHandshakeAdmission>("handshakeAdmission", value);
  if (admission !== undefined && typeof admission.enterTlsHandshake !== "function") {
    throw new InvalidOptionError("handshakeAdmission must have an enterTlsHandshake method");
  }
  return admission;
}

function handshakeTimeout(value: unknown): number {
  return integerOption("handshakeTimeoutMs", value, DEFAULT_HANDSHAKE_TIMEOUT_MS, 1, MAX_TIMER_MS);
}

/**
 * Checks a PEM option's shape: Node skips what it cannot parse in `ca` without a word, so a path
 * passed instead of file contents would only show up later as an untrusted certificate.
 */
function requirePem(name: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  const items = Array.isArray(value) ? value : [value];
  const pem = (item: unknown) =>
    (typeof item === "string" || Buffer.isBuffer(item)) && item.includes("-----BEGIN ");
  if (items.length === 0 || !items.every(pem)) {
    throw new InvalidOptionError(
      `${name} must be PEM text or a Buffer of it ("-----BEGIN ..."), or a list of them; read the file first`,
    );
  }
}

/** Loads the server's material once, so a bad PEM or a mismatched key fails at startup. */
function checkedIdentity(o: Partial<TlsListenOptions>, minVersion: TlsMinVersion): ServerIdentity {
  loadContext(o, minVersion);
  return Object.freeze({
    cert: o.cert as string | Buffer | (string | Buffer)[],
    key: o.key as string | Buffer,
    ca: o.ca as string | Buffer | (string | Buffer)[] | undefined,
    passphrase: o.passphrase,
  });
}

/** Builds the secure context once; a bad PEM or a key that does not match fails here, at startup. */
function loadContext(
  o: Partial<TlsListenOptions | TlsConnectOptions>,
  minVersion: TlsMinVersion,
): SecureContext {
  try {
    return createSecureContext({
      cert: o.cert as string | Buffer | (string | Buffer)[] | undefined,
      key: o.key,
      ca: o.ca as string | Buffer | (string | Buffer)[] | undefined,
      passphrase: o.passphrase,
      minVersion,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidOptionError(
      `cert, key or ca could not be loaded (${reason}); pass PEM text or Buffers, a key that matches cert, and passphrase for an encrypted key`,
      { cause: error },
    );
  }
}
