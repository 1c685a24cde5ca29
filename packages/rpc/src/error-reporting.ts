/**
 * Errors that neither leak nor vanish. An error a handler throws without a Parley or service code
 * (a bug, a driver's message with a password in it) reaches the caller as `INTERNAL` with a
 * generic message and a short reference; the full error, stack included, goes to `onError` on
 * this side, or to the logger when there is no hook. Dropped signals and failing signal handlers
 * are reported the same way. tRPC's `onError` and its hiding of internal messages in production
 * are the model; `exposeInternalErrors` is its development mode.
 */
import { randomBytes } from "node:crypto";
import { isParleyError, ParleyError } from "@parley/framing";
import type { PeerLogger } from "@parley/peer";
import type { RpcConnection } from "./rpc-connection.js";

/**
 * A logger as `console` and pino both are: `logger.error({ err, ... }, "message")`. pino reads the
 * object as fields and the string as the message; console prints both.
 */
export interface Logger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Where an error happened. */
export interface ErrorInfo {
  /** The connection it happened on. */
  readonly connection: RpcConnection;
  /** The request method whose handler failed, when it was one. */
  readonly method?: string;
  /** The signal that was dropped or whose handler failed, when it was one. */
  readonly signal?: string;
  /** The reference the caller received in its `INTERNAL` error, when one was sent. */
  readonly ref?: string;
}

/** Receives every error this side cannot hand to a caller whole. */
export type ErrorHook = (error: Error, info: ErrorInfo) => void;

/** The `INTERNAL` error a caller receives instead of an uncoded one; `ref` finds it in the logs. */
export class InternalError extends ParleyError {
  override readonly name = "InternalError";
  readonly code = "INTERNAL" as const;
  /** The reference also given to `onError`. */
  readonly ref: string;
  constructor(message: string, ref: string) {
    super(message);
    this.ref = ref;
  }
}

/** A signal the receiver dropped (unknown name, bad payload, full queue) or whose handler threw. */
export class SignalDroppedError extends ParleyError {
  override readonly name = "SignalDroppedError";
  readonly code = "SIGNAL_DROPPED" as const;
}

/** How one side reports errors: the hook (or the logger), and whether internal messages go out. */
export class ErrorReporter {
  constructor(
    private readonly hook: ErrorHook | undefined,
    private readonly logger: Logger,
    private readonly exposeInternalErrors: boolean,
  ) {}

  /** Reports `error`; without a hook it goes to the logger, and a throwing hook is logged too. */
  report(error: Error, info: ErrorInfo): void {
    if (this.hook === undefined) {
      this.log(error, info);
      return;
    }
    try {
      this.hook(error, info);
    } catch (hookError) {
      this.log(error, info);
      this.logger.error({ err: hookError }, "[parley] onError threw");
    }
  }

  /**
   * What goes back to the caller for `thrown`: a Parley error as it is, anything else as an
   * {@link InternalError} (reported here in full).
   */
  hide(thrown: unknown, connection: RpcConnection, method: string): unknown {
    if (isParleyError(thrown)) return thrown;
    const ref = randomBytes(4).toString("hex");
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    this.report(error, { connection, method, ref });
    const message = this.exposeInternalErrors
      ? `${error.message} (ref ${ref})`
      : `internal error in ${method} (ref ${ref}); the server logged the details`;
    return new InternalError(message, ref);
  }

  /**
   * The engine's logger for one connection: its drop and signal-handler warnings become
   * {@link SignalDroppedError} reports; the rest go to `userLogger.warn` when one was given.
   */
  peerLogger(connection: RpcConnection, userLogger: Logger | undefined): PeerLogger {
    return {
      warn: (message, details) => {
        // The engine names the signal of a drop or a failed signal handler.
        const signal = details?.signal;
        if (signal !== undefined) {
          const error = new SignalDroppedError(message, { cause: details?.error });
          this.report(error, { connection, signal });
        } else {
          userLogger?.warn({ err: details?.error, connection: connection.id }, message);
        }
      },
    };
  }

  private log(error: Error, info: ErrorInfo): void {
    const where = info.method ?? info.signal ?? "connection";
    this.logger.error(
      { err: error, connection: info.connection.id, method: info.method, ref: info.ref },
      `[parley] ${where} on connection ${info.connection.id} (${info.connection.remoteAddress}) failed`,
    );
  }
}
