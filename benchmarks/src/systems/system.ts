/**
 * The one interface every benchmarked system implements. A system's server runs in its own child
 * process (`startServer`), its client in another (`createClient`); the harness only moves plain JSON
 * (`ListenSpec`, `Endpoint`) between them.
 */

/** The socket families every point is measured over. */
export type TransportKind = "tcp" | "unix";

/** Every transport, in report order. */
export const TRANSPORTS: readonly TransportKind[] = ["tcp", "unix"];

/** Where the harness asks a server to listen: loopback with an ephemeral port, or a Unix path. */
export type ListenSpec =
  | { readonly transport: "tcp"; readonly host: string }
  | { readonly transport: "unix"; readonly path: string };

/** Where a started server really listens (the real port is known only after listening). */
export type Endpoint =
  | {
      readonly transport: "tcp";
      readonly host: string;
      readonly port: number;
      readonly url: string;
    }
  | { readonly transport: "unix"; readonly path: string; readonly url: string };

/** A listening echo server inside a server child. */
export interface EchoServer {
  /** The address clients connect to. */
  readonly endpoint: Endpoint;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** One client connection (or pool) that echoes payloads through the system under test. */
export interface EchoClient {
  /** Sends `payload` and resolves with the bytes the server sent back. */
  echo(payload: Uint8Array): Promise<Uint8Array>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

/**
 * A client driven by callbacks instead of promises: the ceiling's second form, which allocates
 * nothing per request, so its figures show what a call costs when the client costs nothing.
 * Replies come back in request order; the load generator keeps the send times.
 */
export interface CallbackEchoClient {
  /** Sends one request carrying the session's payload (the client was built for it). */
  send(): void;
  /** Called once per reply with its length, or with -1 and a reason once the connection fails. */
  onReply: (replyBytes: number, failure?: string) => void;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** Hints a client may use to size itself, e.g. HTTP/1.1 opens one connection per concurrent call. */
export interface ClientHints {
  /** Requests the load generator keeps in flight. */
  readonly concurrency: number;
  /** Bytes of every request's payload. */
  readonly payloadBytes: number;
}

/** A benchmarked system: one adapter module each, all with the same shape. */
export interface BenchSystem {
  /** Stable identifier used on the command line and in results (`raw`, `grpc`, ...). */
  readonly name: string;
  /** Transports this system can be measured over. */
  readonly transports: readonly TransportKind[];
  /** Starts an echo server; runs in the server child. */
  startServer(listen: ListenSpec): Promise<EchoServer>;
  /** Connects a client to `endpoint`; runs in the client child. */
  createClient(endpoint: Endpoint, hints: ClientHints): Promise<EchoClient | CallbackEchoClient>;
}

/** Tells the two kinds of client apart. */
export function isCallbackClient(
  client: EchoClient | CallbackEchoClient,
): client is CallbackEchoClient {
  return "send" in client;
}

/** Builds the `Endpoint` of a TCP listener. */
export function tcpEndpoint(host: string, port: number, scheme = "tcp"): Endpoint {
  return { transport: "tcp", host, port, url: `${scheme}://${host}:${port}` };
}

/** Builds the `Endpoint` of a Unix-socket listener. */
export function unixEndpoint(path: string, scheme = "unix"): Endpoint {
  return { transport: "unix", path, url: `${scheme}://${path}` };
}
