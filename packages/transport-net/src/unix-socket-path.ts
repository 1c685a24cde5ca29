import { InvalidOptionError } from "@parley/framing";
import { booleanOption, requiredString } from "@parley/framing/internal";
import { formatAddress } from "./address.js";
import { InvalidAddressError, UnixPathTooLongError } from "./errors.js";

/**
 * The longest Unix socket path, in bytes: `sockaddr_un.sun_path` holds 108 on Linux, one of which
 * is the terminating NUL (or, for an abstract name, the leading one). Longer paths are refused,
 * never truncated: a truncated path binds a different file than the one clients look for.
 */
export const MAX_UNIX_PATH_BYTES = 107;

/** A validated Unix socket address. @internal */
export interface UnixTarget {
  readonly abstract: boolean;
  /** What `node:net` is given: the path as written, or `\0name` for an abstract name. */
  readonly bindPath: string;
  /** For messages and connection descriptions: the path, or `@name`. */
  readonly display: string;
  /** The address as a URL: `unix:///run/app.sock`, `unix:app.sock`, `unix-abstract:app`. */
  readonly url: string;
}

/**
 * Validates a socket path: a file system path, or an abstract name (`abstract: true`, or a path
 * starting with `\0`). @internal
 * @throws {UnixPathTooLongError} `UNIX_PATH_TOO_LONG` over {@link MAX_UNIX_PATH_BYTES} bytes.
 * @throws {InvalidAddressError} `INVALID_ADDRESS` for an abstract name off Linux.
 */
export function resolveUnixTarget(path: unknown, abstractOption: unknown): UnixTarget {
  const given = requiredString("path", path);
  const abstract = booleanOption("abstract", abstractOption, false) || given.startsWith("\0");
  const name = given.startsWith("\0") ? given.slice(1) : given;
  if (abstract) return abstractTarget(name);
  if (given.includes("\0")) {
    throw new InvalidOptionError(
      "path may contain a NUL byte only at the start (an abstract name)",
    );
  }
  const url = formatAddress({ kind: "unix", path: given });
  checkLength(given, given, url);
  return Object.freeze({ abstract: false, bindPath: given, display: given, url });
}

function abstractTarget(name: string): UnixTarget {
  if (name === "") throw new InvalidOptionError("an abstract socket name may not be empty");
  const url = formatAddress({ kind: "unix-abstract", name });
  if (process.platform !== "linux") {
    throw new InvalidAddressError(
      `abstract Unix sockets (${url}) exist on Linux only; use a socket path on ${process.platform}`,
      { address: url },
    );
  }
  const bindPath = `\0${name}`;
  checkLength(bindPath, `@${name}`, url);
  return Object.freeze({ abstract: true, bindPath, display: `@${name}`, url });
}

function checkLength(bindPath: string, display: string, url: string): void {
  const bytes = Buffer.byteLength(bindPath);
  if (bytes <= MAX_UNIX_PATH_BYTES) return;
  throw new UnixPathTooLongError(
    `the Unix socket path ${display} is ${bytes} bytes; the limit is ${MAX_UNIX_PATH_BYTES} (sockaddr_un) and Parley never truncates it: choose a shorter path (e.g. under /run or /tmp) or a relative one`,
    { address: url },
  );
}
