/**
 * Transport addresses as URLs, the way users write them: `tcp://10.0.0.5:7000`,
 * `tls://[::1]:7443`, `unix:///run/app.sock`, `unix:app.sock`, `unix-abstract:app` (or `unix:@app`).
 * Parsing is pure: nothing is resolved or opened here.
 */
import { isIPv4, isIPv6 } from "node:net";
import { InvalidAddressError } from "./errors.js";

/** A TCP or TLS endpoint. `host` is a name or an IP literal (IPv6 without brackets). */
export interface HostPortAddress {
  readonly kind: "tcp" | "tls";
  readonly host: string;
  /** 0 to 65535; 0 asks a listener for any free port. */
  readonly port: number;
}

/** A Unix domain socket in the file system; `path` is absolute or relative to the working directory. */
export interface UnixPathAddress {
  readonly kind: "unix";
  readonly path: string;
}

/** A Linux abstract-namespace Unix socket: a name with no file behind it. */
export interface UnixAbstractAddress {
  readonly kind: "unix-abstract";
  readonly name: string;
}

/** Any address {@link parseAddress} understands; switch on `kind`. */
export type TransportAddress = HostPortAddress | UnixPathAddress | UnixAbstractAddress;

/** The URL schemes {@link parseAddress} accepts. */
export const ADDRESS_SCHEMES = ["tcp", "tls", "unix", "unix-abstract"] as const;

const HOSTNAME =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const SHAPE_HINT =
  "expected tcp://host:port, tls://host:port, unix:///absolute/path.sock, unix:relative/path.sock or unix-abstract:name";

/**
 * Parses an address URL. Accepted forms:
 * - `tcp://host:port`, `tls://host:port`: host is a name, an IPv4 literal or a bracketed IPv6
 *   literal (`tcp://[::1]:7000`); the port is required (`0` lets a listener pick one).
 * - `unix:///abs/path.sock` (three slashes: no host) or `unix:/abs/path.sock`; `unix:rel/path.sock`
 *   for a path relative to the working directory.
 * - `unix-abstract:name` or `unix:@name`: a Linux abstract-namespace socket.
 *
 * In Unix paths and names, percent-escapes are decoded (`%20` is a space; write `%25` for `%`).
 * @throws {InvalidAddressError} `INVALID_ADDRESS` naming what is wrong and the expected shape.
 * @example
 * parseAddress("tcp://[::1]:7000"); // { kind: "tcp", host: "::1", port: 7000 }
 * parseAddress("unix:///run/app.sock"); // { kind: "unix", path: "/run/app.sock" }
 */
export function parseAddress(url: string): TransportAddress {
  if (typeof url !== "string") {
    throw new InvalidAddressError(`an address must be a string (got ${typeof url}); ${SHAPE_HINT}`);
  }
  const colon = url.indexOf(":");
  const scheme = colon > 0 ? url.slice(0, colon).toLowerCase() : "";
  const rest = url.slice(colon + 1);
  switch (scheme) {
    case "tcp":
    case "tls":
      return parseHostPort(url, scheme, rest);
    case "unix":
      return parseUnix(url, rest);
    case "unix-abstract":
      return { kind: "unix-abstract", name: nonEmpty(url, decode(url, rest), "abstract name") };
    default:
      throw new InvalidAddressError(
        scheme === ""
          ? `"${url}" has no scheme; ${SHAPE_HINT}`
          : `unsupported scheme "${scheme}:" in "${url}"; ${SHAPE_HINT}`,
        { address: url },
      );
  }
}

/**
 * Formats an address as the canonical URL {@link parseAddress} reads back to the same address.
 * @throws {InvalidAddressError} `INVALID_ADDRESS` for an address object of unknown kind.
 */
export function formatAddress(address: TransportAddress): string {
  switch (address.kind) {
    case "tcp":
    case "tls": {
      // A zone id's `%` is written `%25` inside the brackets, as parseAddress decodes it.
      const v6 = address.host.includes(":");
      const host = v6 ? `[${address.host.replace(/%/g, "%25")}]` : address.host;
      return `${address.kind}://${host}:${address.port}`;
    }
    case "unix": {
      const path = address.path.replace(/%/g, "%25").replace(/^@/, "%40");
      return path.startsWith("/") ? `unix://${path}` : `unix:${path}`;
    }
    case "unix-abstract":
      return `unix-abstract:${address.name.replace(/%/g, "%25")}`;
    default:
      throw new InvalidAddressError(
        `unknown address kind ${JSON.stringify((address as { kind?: unknown }).kind)}`,
      );
  }
}

function parseHostPort(url: string, kind: "tcp" | "tls", rest: string): HostPortAddress {
  if (!rest.startsWith("//")) {
    throw invalid(url, `${kind}: addresses start with "${kind}://"; ${SHAPE_HINT}`);
  }
  const authority = rest.slice(2);
  let host: string;
  let portText: string;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw invalid(url, `the IPv6 host has no closing "]"`);
    host = decode(url, authority.slice(1, close));
    if (!isIPv6(host)) throw invalid(url, `"${host}" is not an IPv6 address`);
    if (authority[close + 1] !== ":") throw invalid(url, `no ":port" after the IPv6 host`);
    portText = authority.slice(close + 2);
  } else {
    const lastColon = authority.lastIndexOf(":");
    if (lastColon < 0) throw invalid(url, `no port (write :0 to let a listener pick one)`);
    host = authority.slice(0, lastColon);
    portText = authority.slice(lastColon + 1);
    if (host.includes(":")) throw invalid(url, `an IPv6 host must be in brackets: [${host}]`);
    if (!isHostname(host)) throw invalid(url, `"${host}" is not a valid host name or IPv4 address`);
  }
  return { kind, host, port: parsePort(url, portText) };
}

function parseUnix(url: string, rest: string): UnixPathAddress | UnixAbstractAddress {
  if (rest.startsWith("@")) {
    return {
      kind: "unix-abstract",
      name: nonEmpty(url, decode(url, rest.slice(1)), "abstract name"),
    };
  }
  let path = rest;
  if (rest.startsWith("//")) {
    path = rest.slice(2);
    if (!path.startsWith("/")) {
      throw invalid(
        url,
        "unix:// URLs take no host: write three slashes for an absolute path (unix:///tmp/app.sock) or unix:relative/path.sock",
      );
    }
  }
  path = nonEmpty(url, decode(url, path), "socket path");
  if (path.includes("\0")) throw invalid(url, "a socket path may not contain NUL bytes");
  return { kind: "unix", path };
}

function parsePort(url: string, text: string): number {
  if (text === "") throw invalid(url, `no port (write :0 to let a listener pick one)`);
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw invalid(url, `"${text}" is not a port number from 0 to 65535`);
  }
  return Number(text);
}

function isHostname(host: string): boolean {
  if (host === "") return false;
  // An all-numeric name must be a real IPv4 literal: 999.1.1.1 is a typo, not a host name.
  if (/^[\d.]+$/.test(host)) return isIPv4(host);
  return host.length <= 253 && HOSTNAME.test(host);
}

function decode(url: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid(url, "bad percent-escape (write %25 for a literal %)");
  }
}

function nonEmpty(url: string, value: string, what: string): string {
  if (value === "") throw invalid(url, `empty ${what}`);
  return value;
}

function invalid(url: string, why: string): InvalidAddressError {
  return new InvalidAddressError(`invalid address "${url}": ${why}`, { address: url });
}
