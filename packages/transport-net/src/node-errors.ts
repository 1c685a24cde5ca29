/**
 * Turns the operating system's socket errors (Node.js errors with an `errno` code) into this
 * package's coded errors, with a message that says what to change. The original error is the cause.
 */
import {
  AddressInUseError,
  ConnectError,
  ConnectionError,
  ConnectionResetError,
  ConnectionTimeoutError,
  ConnectRefusedError,
  ConnectTimeoutError,
  ListenError,
  type TransportError,
} from "./errors.js";

/** The `errno` code of a Node.js error (`ECONNREFUSED`), looking inside an `AggregateError` too. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // With autoSelectFamily, a failed connect to a name with several addresses is an AggregateError.
  const inner = (error as { errors?: unknown }).errors;
  return Array.isArray(inner) ? errnoOf(inner[0]) : undefined;
}

/** A failed `connect()`: refused, timed out in the kernel, unreachable, unknown host. */
export function connectFailure(error: unknown, address: string): TransportError {
  const code = errnoOf(error);
  const options = { cause: error, address };
  switch (code) {
    case "ECONNREFUSED":
      return new ConnectRefusedError(
        `connection refused by ${address}: nothing listens there`,
        options,
      );
    case "ENOENT":
      return new ConnectRefusedError(
        `no socket file at ${address}: the server is not running (or listens on another path)`,
        options,
      );
    case "ETIMEDOUT":
      return new ConnectTimeoutError(
        `connecting to ${address} timed out in the operating system`,
        options,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return new ConnectError(`could not resolve the host of ${address} (${code})`, options);
    case "EACCES":
    case "EPERM":
      return new ConnectError(
        `permission denied connecting to ${address} (${code}): check the socket file's mode and owner`,
        { ...options, retryable: false },
      );
    default:
      return new ConnectError(
        `could not connect to ${address} (${code ?? describe(error)})`,
        options,
      );
  }
}

/** A failure of an established connection. */
export function connectionFailure(error: unknown, address: string): TransportError {
  const code = errnoOf(error);
  const options = { cause: error, address };
  switch (code) {
    case "ECONNRESET":
    case "EPIPE":
    case "ECONNABORTED":
      return new ConnectionResetError(`connection reset by peer ${address} (${code})`, options);
    case "ETIMEDOUT":
      return new ConnectionTimeoutError(
        `connection to ${address} timed out (${code}): the peer stopped answering keepalive probes or retransmits`,
        options,
      );
    default:
      return new ConnectionError(
        `connection to ${address} failed (${code ?? describe(error)})`,
        options,
      );
  }
}

/** A failed `listen()`: address in use, privileged port, unknown interface. */
export function listenFailure(error: unknown, address: string): TransportError {
  const code = errnoOf(error);
  const options = { cause: error, address };
  switch (code) {
    case "EADDRINUSE":
      return new AddressInUseError(
        `${address} is already in use by another socket; stop the other server or choose another port or path`,
        options,
      );
    case "EACCES":
    case "EPERM":
      return new ListenError(
        `permission denied listening on ${address} (${code}): ports below 1024 need privileges, and a socket path needs a writable directory`,
        options,
      );
    case "EADDRNOTAVAIL":
      return new ListenError(
        `cannot listen on ${address} (${code}): the host is not an address of this machine; change host`,
        options,
      );
    case "ENOENT":
      return new ListenError(
        `cannot listen on ${address} (${code}): the socket's directory does not exist`,
        options,
      );
    default:
      return new ListenError(`cannot listen on ${address} (${code ?? describe(error)})`, options);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
