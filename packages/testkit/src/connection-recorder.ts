import type { Connection, ConnectionHandlers } from "@parley/framing";
import { RecorderWaitError } from "./errors.js";

/** How long a {@link ConnectionRecorder} wait lasts before it rejects with `WAIT_FAILED`. */
export const DEFAULT_WAIT_TIMEOUT_MS = 5_000;

/** One callback a connection delivered, in delivery order. */
export type ConnectionEvent =
  | { readonly type: "data"; readonly chunk: Uint8Array }
  | { readonly type: "end" }
  | { readonly type: "drain" }
  | { readonly type: "close"; readonly error: Error | undefined };

/** Extra behaviour run after the recorder has logged each event (echo, end on end, ...). */
export interface RecorderHooks {
  /** Runs after each chunk is recorded; `connection` is the recorded one (to echo on it). */
  onData?(chunk: Uint8Array, connection: Connection): void;
  /** Runs after `onEnd` is recorded (for example to `end()` in turn). */
  onEnd?(connection: Connection): void;
  /** Runs after `onDrain` is recorded. */
  onDrain?(connection: Connection): void;
  /** Runs after `onClose` is recorded. */
  onClose?(error: Error | undefined, connection: Connection): void;
}

type Waiter = () => boolean;

const CALLBACK_NAMES = {
  data: "onData",
  end: "onEnd",
  drain: "onDrain",
  close: "onClose",
} as const;

/**
 * Attaches to a connection and records every callback, checks the `Connection` contract as events
 * arrive (see {@link violations}), and offers promises to wait on: bytes, end, drain, close.
 * Every wait rejects with `WAIT_FAILED` after its timeout instead of hanging a test.
 */
export class ConnectionRecorder {
  /** Every callback, in order. */
  readonly events: ConnectionEvent[] = [];
  /** Breaches of the `Connection` contract seen so far (event after close, data after end, ...). */
  readonly violations: string[] = [];
  readonly #connection: Connection;
  readonly #hooks: RecorderHooks;
  #chunks: Uint8Array[] = [];
  #receivedBytes = 0;
  #drains = 0;
  #ends = 0;
  #closes = 0;
  #closeError: Error | undefined;
  readonly #waiters = new Set<Waiter>();

  /** Records `connection` once {@link attach} is called; {@link recordConnection} does both. */
  constructor(connection: Connection, hooks: RecorderHooks = {}) {
    this.#connection = connection;
    this.#hooks = hooks;
  }

  /** Installs this recorder as the connection's handlers (calls `connection.attach`). */
  attach(): this {
    const handlers: ConnectionHandlers = {
      onData: (chunk) => this.#onData(chunk),
      onEnd: () => this.#onEnd(),
      onDrain: () => this.#onDrain(),
      onClose: (error) => this.#onClose(error),
    };
    this.#connection.attach(handlers);
    return this;
  }

  /** Bytes received through `onData` so far. */
  get receivedBytes(): number {
    return this.#receivedBytes;
  }

  /** The chunks received so far, as delivered. */
  get chunks(): readonly Uint8Array[] {
    return this.#chunks;
  }

  /** How many times `onEnd`, `onDrain` and `onClose` fired. */
  get counts(): { readonly ends: number; readonly drains: number; readonly closes: number } {
    return { ends: this.#ends, drains: this.#drains, closes: this.#closes };
  }

  /** The error `onClose` reported (undefined before close or on a clean close). */
  get closeError(): Error | undefined {
    return this.#closeError;
  }

  /** Everything received so far, in one buffer. */
  received(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /** Forgets the chunks received so far (the byte count stays), to bound memory in long tests. */
  discardChunks(): void {
    this.#chunks = [];
  }

  /**
   * Resolves once at least `bytes` bytes have arrived in total.
   * @throws {RecorderWaitError} `WAIT_FAILED` on timeout, or when the connection ends first.
   */
  whenBytes(bytes: number, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<void> {
    return this.#wait(`${bytes} bytes`, timeoutMs, () => {
      if (this.#receivedBytes >= bytes) return true;
      if (this.#ends > 0 || this.#closes > 0) {
        throw new RecorderWaitError(
          `${this.#label()} ended after ${this.#receivedBytes} of ${bytes} awaited bytes`,
        );
      }
      return false;
    });
  }

  /** Resolves once `onEnd` has fired. @throws {RecorderWaitError} `WAIT_FAILED` on timeout or close. */
  whenEnded(timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<void> {
    return this.#wait("onEnd", timeoutMs, () => {
      if (this.#ends > 0) return true;
      if (this.#closes > 0) throw new RecorderWaitError(`${this.#label()} closed without onEnd`);
      return false;
    });
  }

  /** Resolves once `onDrain` has fired `count` times in total. @throws {RecorderWaitError} `WAIT_FAILED`. */
  whenDrained(count = 1, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<void> {
    return this.#wait(`onDrain #${count}`, timeoutMs, () => {
      if (this.#drains >= count) return true;
      if (this.#closes > 0) throw new RecorderWaitError(`${this.#label()} closed before onDrain`);
      return false;
    });
  }

  /**
   * Resolves with `onClose`'s error (undefined on a clean close) once it has fired.
   * @throws {RecorderWaitError} `WAIT_FAILED` on timeout.
   */
  async whenClosed(timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<Error | undefined> {
    await this.#wait("onClose", timeoutMs, () => this.#closes > 0);
    return this.#closeError;
  }

  #onData(chunk: Uint8Array): void {
    if (this.#ends > 0) this.violations.push("onData after onEnd");
    this.#record({ type: "data", chunk });
    this.#chunks.push(chunk);
    this.#receivedBytes += chunk.byteLength;
    this.#hooks.onData?.(chunk, this.#connection);
    this.#settle();
  }

  #onEnd(): void {
    if (this.#ends > 0) this.violations.push("onEnd twice");
    this.#record({ type: "end" });
    this.#ends++;
    this.#hooks.onEnd?.(this.#connection);
    this.#settle();
  }

  #onDrain(): void {
    this.#record({ type: "drain" });
    this.#drains++;
    this.#hooks.onDrain?.(this.#connection);
    this.#settle();
  }

  #onClose(error: Error | undefined): void {
    this.#record({ type: "close", error });
    this.#closes++;
    this.#closeError = error;
    this.#hooks.onClose?.(error, this.#connection);
    this.#settle();
  }

  #record(event: ConnectionEvent): void {
    if (this.#closes > 0) {
      this.violations.push(
        event.type === "close" ? "onClose twice" : `${CALLBACK_NAMES[event.type]} after onClose`,
      );
    }
    this.events.push(event);
  }

  #label(): string {
    return `connection ${this.#connection.localAddress} -> ${this.#connection.remoteAddress}`;
  }

  #settle(): void {
    for (const waiter of this.#waiters) waiter();
  }

  #wait(what: string, timeoutMs: number, done: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = () => {
        let finished: boolean;
        try {
          finished = done();
        } catch (error) {
          finish();
          reject(error);
          return true;
        }
        if (finished) {
          finish();
          resolve();
        }
        return finished;
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new RecorderWaitError(
            `${this.#label()}: no ${what} within ${timeoutMs} ms (received ${this.#receivedBytes} bytes, ` +
              `${this.#ends} onEnd, ${this.#drains} onDrain, ${this.#closes} onClose)`,
          ),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      this.#waiters.add(waiter);
      waiter();
    });
  }
}

/**
 * Attaches a {@link ConnectionRecorder} to `connection` and returns it.
 * @throws whatever `connection.attach` throws (a memory connection: `ALREADY_ATTACHED`).
 * @example
 * const server = recordConnection(serverConnection, { onData: (chunk, c) => c.write([chunk]) });
 * await server.whenBytes(5);
 */
export function recordConnection(
  connection: Connection,
  hooks?: RecorderHooks,
): ConnectionRecorder {
  return new ConnectionRecorder(connection, hooks).attach();
}
