/**
 * Binding a Unix socket file with no window: the socket is created inside a fresh private directory
 * (mode 0700) beside the target, given its mode there, and only then linked into place. Nobody else
 * can reach it before its mode is right, whatever the process umask.
 */
import {
  chmodSync,
  closeSync,
  constants,
  linkSync,
  lstatSync,
  mkdtempSync,
  openSync,
  rmdirSync,
  unlinkSync,
} from "node:fs";
import type { Server } from "node:net";
import { basename, dirname, join, resolve } from "node:path";
import { AddressInUseError, ListenError } from "./errors.js";
import { errnoOf, listenFailure } from "./node-errors.js";
import { startListening } from "./socket-listener.js";
import { MAX_UNIX_PATH_BYTES, type UnixTarget } from "./unix-socket-path.js";

/** The socket file a listener created, by inode: a file put there later by someone else is not it. */
export interface SocketFileIdentity {
  /** Absolute path, resolved when the listener started (a later `chdir` does not move it). */
  readonly path: string;
  readonly dev: bigint;
  readonly ino: bigint;
  /** Releases what the bind kept open (a directory descriptor); runs after the server closed. */
  readonly release: () => void;
}

/** A short name for a path inside the private directory, and what must stay open while it is used. */
interface BindName {
  readonly path: string;
  readonly release: () => void;
}

const PROC_FD_DIR = "/proc/self/fd";

/**
 * Binds `server` at the target path with `mode` in force from the first instant and returns the
 * file's identity.
 *
 * 1. A private directory `.pl-XXXXXX` (0700) is made beside the target; the socket is bound in it.
 * 2. The socket is chmodded there: until step 3 only this user can even reach it.
 * 3. It is hard-linked to the target (`link` never replaces a file that appeared meanwhile: such a
 *    file is `ADDRESS_IN_USE`), then the private name and directory are removed. A file system
 *    that cannot hard-link a socket is `LISTEN_FAILED`, never a rename that could replace one.
 *
 * libuv deletes a pipe's bind path *by name* when the server closes; since that name is the private
 * one (gone by then), closing never deletes the target, which may meanwhile be a successor's socket.
 * When the private path is too long for `sockaddr_un`, Linux binds through `/proc/self/fd/N/...` of
 * the directory (opened with `O_PATH`, so a directory this user may traverse but not list will do,
 * and kept open until close so N keeps naming it); elsewhere the socket is bound in place, where a
 * file already at the path (a successor's socket) makes the bind fail with `ADDRESS_IN_USE`,
 * never replaces it.
 */
export async function bindSocketFile(
  server: Server,
  target: UnixTarget,
  mode: number,
  backlog: number,
): Promise<SocketFileIdentity> {
  const finalPath = resolve(target.bindPath);
  const privateDir = makePrivateDirectory(finalPath, target.url);
  const inner = join(privateDir, "s");
  const name = shortNameFor(inner);
  if (name === undefined) {
    rmdirQuietly(privateDir);
    return bindInPlace(server, target, finalPath, mode, backlog);
  }
  try {
    await startListening(server, { path: name.path, backlog }, target.url);
  } catch (error) {
    name.release();
    rmdirQuietly(privateDir);
    throw error;
  }
  try {
    chmodSync(inner, mode);
    const { dev, ino } = lstatSync(inner, { bigint: true });
    placeSocket(inner, finalPath, target);
    return Object.freeze({ path: finalPath, dev, ino, release: name.release });
  } catch (error) {
    await closeServer(server);
    name.release();
    throw error;
  } finally {
    unlinkQuietly(inner);
    rmdirQuietly(privateDir);
  }
}

/**
 * Removes the socket file if it is still the one this listener created (same device and inode),
 * then releases what the bind kept open.
 */
export function removeIfOurs(identity: SocketFileIdentity): void {
  try {
    const stats = lstatSync(identity.path, { bigint: true });
    if (stats.dev === identity.dev && stats.ino === identity.ino) unlinkSync(identity.path);
  } catch {
    // Deleted under us, or no longer ours to touch: either way there is nothing of ours to remove.
  } finally {
    identity.release();
  }
}

function makePrivateDirectory(finalPath: string, url: string): string {
  try {
    const dir = mkdtempSync(join(dirname(finalPath), ".pl-"));
    // mkdtemp asks for 0700 minus the umask: make sure it is exactly 0700, never less usable.
    chmodSync(dir, 0o700);
    return dir;
  } catch (error) {
    throw listenFailure(error, url);
  }
}

/** `inner` itself when it fits `sockaddr_un`, else a `/proc/self/fd` name on Linux, else nothing. */
function shortNameFor(inner: string): BindName | undefined {
  if (Buffer.byteLength(inner) <= MAX_UNIX_PATH_BYTES) return { path: inner, release: () => {} };
  if (process.platform !== "linux") return undefined;
  const fd = openDirectoryHandle(dirname(dirname(inner)));
  if (fd === undefined) return undefined;
  const path = `${PROC_FD_DIR}/${fd}/${basename(dirname(inner))}/s`;
  let open = true;
  const release = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  return { path, release };
}

/**
 * `O_PATH` where Linux gives it this value (every architecture Node runs on but a few old ones):
 * Node's `fs.constants` does not list it.
 */
const O_PATH = ["x64", "arm64", "arm", "ia32", "ppc64", "s390x", "riscv64", "loong64"].includes(
  process.arch,
)
  ? 0o10000000
  : undefined;

/**
 * A descriptor naming `dir` for `/proc/self/fd/N/...`: opened with `O_PATH`, which needs only
 * search permission (a drop-box directory, `-wx`, cannot be opened for reading), else read-only.
 */
function openDirectoryHandle(dir: string): number | undefined {
  const attempts = [constants.O_RDONLY | constants.O_DIRECTORY];
  if (O_PATH !== undefined) attempts.unshift(O_PATH | constants.O_DIRECTORY);
  for (const flags of attempts) {
    try {
      return openSync(dir, flags);
    } catch {
      // A kernel without O_PATH refuses it (EINVAL): the plain open is the fallback.
    }
  }
  return undefined;
}

/**
 * Links the prepared socket to its final path. Never a rename: a rename would replace a socket a
 * successor placed there meanwhile, so a file system without hard links for sockets is an error.
 */
function placeSocket(inner: string, finalPath: string, target: UnixTarget): void {
  try {
    linkSync(inner, finalPath);
  } catch (error) {
    const code = errnoOf(error);
    if (code === "EEXIST") {
      throw new AddressInUseError(
        `another socket appeared at ${target.display} while this listener was starting; stop the other server or choose another path`,
        { cause: error, address: target.url },
      );
    }
    throw listenFailure(error, target.url);
  }
}

/**
 * The last resort (a path too long for `sockaddr_un` off Linux): bind at the target itself. The
 * mode is set right after binding, so the process umask is in force for that moment; the close-time
 * delete by name cannot be prevented there, which is why Linux never takes this path.
 */
async function bindInPlace(
  server: Server,
  target: UnixTarget,
  finalPath: string,
  mode: number,
  backlog: number,
): Promise<SocketFileIdentity> {
  await startListening(server, { path: target.bindPath, backlog }, target.url);
  try {
    chmodSync(finalPath, mode);
    const { dev, ino } = lstatSync(finalPath, { bigint: true });
    return Object.freeze({ path: finalPath, dev, ino, release: () => {} });
  } catch (error) {
    await closeServer(server);
    throw new ListenError(`cannot set the mode of ${target.display} (${errnoOf(error)})`, {
      cause: error,
      address: target.url,
    });
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (never created).
  }
}

function rmdirQuietly(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // Already gone.
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => server.close(() => done()));
}
