import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Blackhole, startBlackhole as startBlackholeListener } from "@parley/testkit";
import { onTestFinished } from "vitest";
import {
  connectTcp,
  connectUnix,
  listenTcp,
  listenUnix,
  type SocketConnection,
  type TcpConnectOptions,
  type TcpListenOptions,
  type UnixListenOptions,
} from "../../src/index.js";

/** A connected pair over a real socket, with the listener that accepted it. */
export interface SocketPair {
  client: SocketConnection;
  server: SocketConnection;
  /** Resets both ends (if still open) and closes the listener. */
  close(): Promise<void>;
}

/** A fresh directory under /tmp with a short name (Unix socket paths are limited to 107 bytes). */
export function shortTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pl-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A TCP listener on 127.0.0.1, port 0, plus a client connected to it. */
export async function tcpPair(
  options: TcpListenOptions = {},
  connectOptions: Partial<TcpConnectOptions> = {},
): Promise<SocketPair> {
  let accepted: (connection: SocketConnection) => void = () => {};
  const serverSide = new Promise<SocketConnection>((resolve) => {
    accepted = resolve;
  });
  const listener = await listenTcp(options, (connection) => accepted(connection));
  const client = await connectTcp({
    ...connectOptions,
    host: "127.0.0.1",
    port: listener.address.port,
  });
  const server = await serverSide;
  return pairOf(client, server, () => listener.destroy());
}

/** A Unix listener at `<fresh dir>/s.sock`, plus a client connected to it. */
export async function unixPair(options: Partial<UnixListenOptions> = {}): Promise<SocketPair> {
  let accepted: (connection: SocketConnection) => void = () => {};
  const serverSide = new Promise<SocketConnection>((resolve) => {
    accepted = resolve;
  });
  const path = options.path ?? join(shortTempDir(), "s.sock");
  const listener = await listenUnix({ ...options, path }, (connection) => accepted(connection));
  const client = await connectUnix({ path, abstract: options.abstract });
  const server = await serverSide;
  return pairOf(client, server, () => listener.destroy());
}

function pairOf(
  client: SocketConnection,
  server: SocketConnection,
  closeListener: () => Promise<void>,
): SocketPair {
  let closing: Promise<void> | undefined;
  const pair = {
    client,
    server,
    close: () => {
      closing ??= (async () => {
        client.reset();
        server.reset();
        await closeListener();
      })();
      return closing;
    },
  };
  onTestFinished(() => pair.close());
  return pair;
}

/** Whether the `ss` tool (iproute2) is installed, for checks of kernel socket state. */
export const hasSs = (() => {
  try {
    execFileSync("ss", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** `ss` lines for TCP sockets on `port` (either end): `ss <args> ( sport = :port or dport = :port )`. */
export function ssLines(port: number, args: readonly string[] = ["-tan"]): string[] {
  const filter = `( sport = :${port} or dport = :${port} )`;
  const out = execFileSync("ss", [...args, filter], { encoding: "utf8" });
  return out
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "");
}

/** Deterministic pseudo-random bytes (xorshift32), so a shifted or repeated block cannot pass. */
export function noise(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** Waits `turns` macrotasks (lets socket events run). */
export async function turns(count = 5): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A blackhole port (see testkit's startBlackhole), closed when the test finishes. */
export async function startBlackhole(): Promise<Blackhole> {
  const blackhole = await startBlackholeListener();
  onTestFinished(() => blackhole.close());
  return blackhole;
}
