/**
 * The file system side of a Unix listener: the owner-only directory check, stale socket detection,
 * binding with the right mode from the first instant, and removing the file on close only while it
 * is still ours.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, linkSync, lstatSync, type Stats, statSync, unlinkSync } from "node:fs";
import { connect, type Server } from "node:net";
import { dirname, resolve } from "node:path";
import {
  AddressInUseError,
  ListenError,
  UnixDirectoryInsecureError,
  UnixPathNotSocketError,
} from "./errors.js";
import { errnoOf, listenFailure } from "./node-errors.js";
import { startListening } from "./socket-listener.js";
import { MAX_UNIX_PATH_BYTES, type UnixTarget } from "./unix-socket-path.js";

/** The socket file a listener created, by inode: a file put there later by someone else is not it. */
export interface SocketFileIdentity {
  /** Absolute path, resolved when the listener started (a later `chdir` does not move it). */
  readonly path: string;
  readonly dev: bigint;
  readonly ino: bigint;
}

/** Bytes the temporary bind name needs in the socket's directory: `.pl-` and 8 random characters. */
const TEMPORARY_NAME_BYTES = 12;

/**
 * Throws unless the socket's directory belongs to this user and is closed to everyone else: on
 * some systems (the BSDs, macOS) a socket file's own mode does not restrict `connect()`, so the
 * directory is what keeps other users out.
 * @throws {UnixDirectoryInsecureError} `UNIX_DIRECTORY_INSECURE`
 */
export function checkDirectoryOwnerOnly(target: UnixTarget): void {
  const dir = dirname(resolve(target.bindPath));
  let stats: Stats;
  try {
    stats = statSync(dir);
  } catch (error) {
    throw listenFailure(error, target.url);
  }
  const uid = process.getuid?.();
  const problems: string[] = [];
  if (!stats.isDirectory()) problems.push("it is not a directory");
  if (uid !== undefined && stats.uid !== uid) {
    problems.push(`it is owned by uid ${stats.uid}, not by this process (uid ${uid})`);
  }
  if ((stats.mode & 0o077) !== 0) {
    problems.push(
      `its mode ${(stats.mode & 0o777).toString(8)} lets group or others in (chmod 700)`,
    );
  }
  if (problems.length === 0) return;
  throw new UnixDirectoryInsecureError(
    `checkDirectory: the socket directory ${dir} is not owner-only: ${problems.join("; ")}; fix it or turn checkDirectory off`,
    { address: target.url },
  );
}

/**
 * Makes the path free to bind: nothing there is fine; a socket nobody answers on (left by a crash)
 * is removed; a socket a live server answers on is `ADDRESS_IN_USE`; anything else is refused.
 * @throws {AddressInUseError} `ADDRESS_IN_USE` when a server answers (or the probe cannot tell).
 * @throws {UnixPathNotSocketError} `UNIX_PATH_NOT_SOCKET` for a regular file, directory or link.
 */
export async function clearStaleSocket(target: UnixTarget, probeTimeoutMs: number): Promise<void> {
  const stats = lstatOrUndefined(target.bindPath, target.url);
  if (stats === undefined) return;
  if (!stats.isSocket()) {
    throw new UnixPathNotSocketError(
      `${target.display} exists and is ${fileType(stats)}, not a socket; it is never deleted for you: remove it or choose another path`,
      { address: target.url },
    );
  }
  const verdict = await probeSocket(target.bindPath, probeTimeoutMs);
  if (verdict === "stale") {
    removeStale(target);
    return;
  }
  if (verdict === "gone") return;
  throw new AddressInUseError(
    verdict === "live"
      ? `a live server already listens on ${target.display} (a test connection was accepted); stop it or choose another path`
      : `a socket file exists at ${target.display} and could not be probed (${verdict}); remove it if it is stale, or choose another path`,
    { address: target.url },
  );
}

/**
 * Binds `server` at the target path with `mode` in force from the first instant, and returns the
 * file's identity. The socket is bound under a temporary name in the same directory, given its mode,
 * then hard-linked to the real path (`link` fails if something appeared there meanwhile: no
 * clobbering) and the temporary name removed. Besides the mode, this keeps libuv, which deletes a
 * pipe's bind path by name when it closes, from ever deleting the real path: it only knows the
 * temporary one. When the directory leaves no room for a temporary name, or the file system has no
 * hard links for sockets, the socket is bound in place instead.
 */
export async function bindSocketFile(
  server: Server,
  target: UnixTarget,
  mode: number,
  backlog: number,
): Promise<SocketFileIdentity> {
  const temporary = temporaryName(target.bindPath);
  if (temporary !== undefined) {
    await startListening(server, { path: temporary, backlog }, target.url);
    try {
      chmodSync(temporary, mode);
      linkSync(temporary, target.bindPath);
      return identityOf(temporary, target.bindPath);
    } catch (error) {
      await closeServer(server);
      if (errnoOf(error) === "EEXIST") {
        throw new AddressInUseError(
          `another socket appeared at ${target.display} while this listener was starting; stop the other server or choose another path`,
          { cause: error, address: target.url },
        );
      }
    } finally {
      removeQuietly(temporary);
    }
  }
  await startListening(server, { path: target.bindPath, backlog }, target.url);
  try {
    chmodSync(target.bindPath, mode);
    return identityOf(target.bindPath, target.bindPath);
  } catch (error) {
    await closeServer(server);
    throw new ListenError(`cannot set the mode of ${target.display} (${errnoOf(error)})`, {
      cause: error,
      address: target.url,
    });
  }
}

/** Removes the socket file if it is still the one this listener created (same device and inode). */
export function removeIfOurs(identity: SocketFileIdentity): void {
  try {
    const stats = lstatSync(identity.path, { bigint: true });
    if (stats.dev === identity.dev && stats.ino === identity.ino) unlinkSync(identity.path);
  } catch {
    // Deleted under us, or no longer ours to touch: either way there is nothing of ours to remove.
  }
}

type ProbeVerdict = "live" | "stale" | "gone" | string;

/** Connects to an existing socket file to tell a live server from a leftover one. */
function probeSocket(path: string, timeoutMs: number): Promise<ProbeVerdict> {
  return new Promise((resolveVerdict) => {
    const probe = connect({ path });
    const done = (verdict: ProbeVerdict): void => {
      clearTimeout(timer);
      probe.removeAllListeners();
      probe.on("error", () => {});
      probe.destroy();
      resolveVerdict(verdict);
    };
    const timer = setTimeout(() => done("no answer within probeTimeoutMs"), timeoutMs);
    probe.once("connect", () => done("live"));
    probe.once("error", (error) => {
      const code = errnoOf(error);
      // EAGAIN: the server's accept queue is full, so it is very much alive.
      done(
        code === "ECONNREFUSED"
          ? "stale"
          : code === "ENOENT"
            ? "gone"
            : code === "EAGAIN"
              ? "live"
              : String(code),
      );
    });
  });
}

/** A name beside `bindPath` to bind first, or `undefined` when the length limit leaves no room. */
function temporaryName(bindPath: string): string | undefined {
  const dir = dirname(bindPath);
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  if (Buffer.byteLength(prefix) + TEMPORARY_NAME_BYTES > MAX_UNIX_PATH_BYTES) return undefined;
  return `${prefix}.pl-${randomBytes(6).toString("base64url")}`;
}

function identityOf(statPath: string, bindPath: string): SocketFileIdentity {
  const stats = lstatSync(statPath, { bigint: true });
  return Object.freeze({ path: resolve(bindPath), dev: stats.dev, ino: stats.ino });
}

function lstatOrUndefined(path: string, url: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return undefined;
    throw listenFailure(error, url);
  }
}

/** Removes a stale socket file; one this user may not remove is a clear `LISTEN_FAILED`. */
function removeStale(target: UnixTarget): void {
  try {
    unlinkSync(target.bindPath);
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return;
    throw new ListenError(
      `a stale socket file at ${target.display} (nobody listens on it) cannot be removed (${errnoOf(error)}); remove it or choose another path`,
      { cause: error, address: target.url },
    );
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => server.close(() => done()));
}

function fileType(stats: Stats): string {
  if (stats.isFile()) return "a regular file";
  if (stats.isDirectory()) return "a directory";
  if (stats.isSymbolicLink()) return "a symbolic link";
  return "a special file";
}
