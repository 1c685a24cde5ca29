/**
 * Turning a connection away with a reason (a server at `maxConnections`, one shutting down) rather
 * than a bare close the client cannot explain. The exchange stays well-formed: a refusal Hello and
 * HelloAck refuse (both built by hello-handshake.ts), then FIN.
 */
import type { Connection } from "@parley/framing";
import { durationOption } from "@parley/framing/internal";
import { FrameEncoder } from "./frame-encoder.js";
import { helloAckRefuse, refusalHello } from "./hello-frames.js";
import { DEFAULT_CLOSE_TIMEOUT_MS, MIN_MAX_FRAME_BYTES } from "./peer-options.js";

/** Why the connection is refused. */
export interface Refusal {
  /** Machine-readable code the other side's `ready` rejects with, e.g. `OVERLOADED`, `UNAVAILABLE`. */
  readonly code: string;
  /** Human-readable reason. */
  readonly message: string;
}

/** Options of {@link refuseConnection}. */
export interface RefuseConnectionOptions {
  /** How long to wait for the other side to close before resetting. @default 10000 */
  timeoutMs?: number;
}

const NO_BODIES = {
  name: "",
  encode: (): Uint8Array => {
    throw new Error("a refusal carries no body");
  },
  encodeReserved: (): Uint8Array => {
    throw new Error("a refusal carries no body");
  },
  decode: (): unknown => undefined,
};

/**
 * Writes Hello + HelloAck refuse `{ code, message }` on a connection nobody has attached to yet,
 * ends it, and resolves once it is closed (reset after `timeoutMs` if the other side lingers). The
 * other side's `ready` rejects with the matching error: `OVERLOADED` and `UNAVAILABLE` are
 * retryable, an unknown code becomes `CONNECTION_REFUSED`.
 *
 * @throws {InvalidOptionError} INVALID_OPTION (synchronously) for a bad code, message or timeout.
 * @example
 * if (connections.size >= maxConnections) {
 *   await refuseConnection(connection, { code: "OVERLOADED", message: "too many connections" });
 * }
 */
export function refuseConnection(
  connection: Connection,
  refusal: Refusal,
  options: RefuseConnectionOptions = {},
): Promise<void> {
  const timeoutMs = durationOption("timeoutMs", options.timeoutMs, DEFAULT_CLOSE_TIMEOUT_MS);
  const encoder = new FrameEncoder(NO_BODIES);
  const hello = encoder.encode(refusalHello(MIN_MAX_FRAME_BYTES));
  const ack = encoder.encode(helloAckRefuse(refusal.code, refusal.message));
  return new Promise((resolve) => {
    const timer = setTimeout(() => connection.reset(), timeoutMs);
    timer.unref();
    connection.attach({
      onData: ignore, // whatever the other side says, the answer is no
      onEnd: ignore,
      onDrain: ignore,
      onClose: () => {
        clearTimeout(timer);
        resolve();
      },
    });
    connection.write([hello, ack]);
    connection.end();
  });
}

function ignore(): void {}
