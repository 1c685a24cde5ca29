import { createConnection } from "node:net";
import { integerAtLeast } from "@parley/framing/internal";
import { resetSocket } from "./socket-reset.js";

/** How a {@link sendHostileBytes} connection ended. */
export interface HostileResult {
  /** Milliseconds from connect until the socket closed; `undefined` if the server never closed it. */
  readonly closedAfterMs: number | undefined;
  /** Bytes the server sent back (read and dropped, so the server is never blocked on us). */
  readonly bytesReceived: number;
  /** The socket error's code, if it closed with one (`ECONNRESET` after a reset, say). */
  readonly errorCode: string | undefined;
}

/** Options of {@link sendHostileBytes}. */
export interface HostileSendOptions {
  /** Half-close after writing. @default true */
  end?: boolean;
  /** Give up waiting for the server to close after this long, and reset. @default 10000 */
  timeoutMs?: number;
}

/**
 * Connects to a TCP server, writes `bytes` in one write, optionally half-closes, reads and drops
 * whatever comes back, and resolves once the server has closed the connection (or after
 * `timeoutMs`, with `closedAfterMs: undefined`). Never rejects: a refused or reset connection is
 * a result too.
 */
export function sendHostileBytes(
  address: { host: string; port: number },
  bytes: Uint8Array,
  options: HostileSendOptions = {},
): Promise<HostileResult> {
  const timeoutMs = integerAtLeast("timeoutMs", options.timeoutMs ?? 10_000, 1);
  const end = options.end ?? true;
  return new Promise((resolve) => {
    const socket = createConnection(address);
    let start = performance.now();
    let bytesReceived = 0;
    let errorCode: string | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      resetSocket(socket, true);
    }, timeoutMs);
    socket.once("connect", () => {
      start = performance.now();
      socket.write(bytes);
      if (end) socket.end();
    });
    socket.on("data", (chunk) => {
      bytesReceived += chunk.length;
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      errorCode ??= error.code;
    });
    socket.once("close", () => {
      clearTimeout(timer);
      const closedAfterMs = timedOut ? undefined : performance.now() - start;
      resolve({ closedAfterMs, bytesReceived, errorCode });
    });
  });
}
