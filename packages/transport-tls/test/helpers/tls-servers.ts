import {
  expectNoLeakedHandles,
  generateTestCertificates,
  type HandleSnapshot,
  recordConnection,
  snapshotHandles,
  type TestCertificates,
} from "@parley/testkit";
import type { SocketConnection } from "@parley/transport-net";
import { afterAll, beforeAll, onTestFinished } from "vitest";
import {
  connectTls,
  listenTls,
  type TlsConnectOptions,
  type TlsListener,
  type TlsListenOptions,
} from "../../src/index.js";

/**
 * Gives the file's tests fresh certificates (made once, before them, and handed to `use`), and
 * checks after them that the file left no handle open that it did not find.
 */
export function useTestCertificates(use: (certs: TestCertificates) => void): void {
  let before: HandleSnapshot;
  beforeAll(() => {
    before = snapshotHandles();
    use(generateTestCertificates());
  });
  afterAll(() => expectNoLeakedHandles(before));
}

/** Errors a listener reported through `onClientError`. */
export interface ListenerWithErrors {
  listener: TlsListener;
  clientErrors: Error[];
  /** Connections that completed their handshake. */
  accepted: SocketConnection[];
}

/**
 * A TLS echo server on 127.0.0.1 (connections echo, and end when the peer does), with the server
 * certificate; closed (connections reset) when the test finishes.
 */
export async function echoServer(
  certs: TestCertificates,
  options: Partial<TlsListenOptions> = {},
): Promise<ListenerWithErrors> {
  const clientErrors: Error[] = [];
  const accepted: SocketConnection[] = [];
  const listener = await listenTls(
    {
      cert: certs.server.cert,
      key: certs.server.key,
      onClientError: (error) => clientErrors.push(error),
      ...options,
    },
    (connection) => {
      accepted.push(connection);
      recordConnection(connection, {
        onData: (chunk, c) => c.write([chunk]),
        onEnd: (c) => c.end(),
      });
    },
  );
  onTestFinished(() => listener.destroy());
  return { listener, clientErrors, accepted };
}

/** Connects to `listener` trusting the test CA; the connection is reset when the test finishes. */
export async function connectTo(
  listener: TlsListener,
  certs: TestCertificates,
  options: Partial<TlsConnectOptions> = {},
): Promise<SocketConnection> {
  const connection = await connectTls({
    host: "127.0.0.1",
    port: listener.address.port,
    ca: certs.ca.cert,
    ...options,
  });
  onTestFinished(() => connection.reset());
  return connection;
}

/** Sends bytes through an echoing server and checks they come back, then ends cleanly. */
export async function expectEcho(connection: SocketConnection): Promise<void> {
  const recorder = recordConnection(connection);
  const payload = Buffer.from("parley over tls ".repeat(100));
  connection.write([payload.subarray(0, 7), payload.subarray(7)]);
  await recorder.whenBytes(payload.length);
  if (!recorder.received().equals(payload)) throw new Error("the echo differs from what was sent");
  connection.end();
  const error = await recorder.whenClosed();
  if (error) throw error;
}
