/**
 * The file system side of a Unix listener before it binds: the owner-only directory check and
 * stale socket detection (binding itself is in `unix-socket-bind.ts`).
 */
import { lstatSync, type Stats, statSync, unlinkSync } from "node:fs";
import { connect } from "node:net";
import { dirname, resolve } from "node:path";
import {
  AddressInUseError,
  ListenError,
  UnixDirectoryInsecureError,
  UnixPathNotSocketError,
} from "./errors.js";
import { errnoOf, listenFailure } from "./node-errors.js";
import type { UnixTarget } from "./unix-socket-path.js";

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
    removeStale(target, stats);
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

function lstatOrUndefined(path: string, url: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return undefined;
    throw listenFailure(error, url);
  }
}

/**
 * Removes a stale socket file, only if it is still the file that was probed (same device and inode:
 * a live server may have replaced it meanwhile); one this user may not remove is `LISTEN_FAILED`.
 */
function removeStale(target: UnixTarget, probed: Stats): void {
  try {
    const now = lstatSync(target.bindPath);
    if (now.dev !== probed.dev || now.ino !== probed.ino) return;
    unlinkSync(target.bindPath);
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return;
    throw new ListenError(
      `a stale socket file at ${target.display} (nobody listens on it) cannot be removed (${errnoOf(error)}); remove it or choose another path`,
      { cause: error, address: target.url },
    );
  }
}

function fileType(stats: Stats): string {
  if (stats.isFile()) return "a regular file";
  if (stats.isDirectory()) return "a directory";
  if (stats.isSymbolicLink()) return "a symbolic link";
  return "a special file";
}
