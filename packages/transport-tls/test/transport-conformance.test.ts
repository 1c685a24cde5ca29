import { describeTransportConformance, generateTestCertificates } from "@parley/testkit";
import type { SocketConnection } from "@parley/transport-net";
import { connectTls, listenTls, type TlsListener } from "../src/index.js";

const certs = generateTestCertificates();
let listener: TlsListener | undefined;
let nextAccepted: ((connection: SocketConnection) => void) | undefined;

describeTransportConformance({
  name: "tls",
  // TLS has no reset of its own: the socket is destroyed and the peer sees an end of stream.
  resetIsVisibleToPeer: false,
  async openPair() {
    listener ??= await listenTls({ cert: certs.server.cert, key: certs.server.key }, (connection) =>
      nextAccepted?.(connection),
    );
    const accepted = new Promise<SocketConnection>((resolve) => {
      nextAccepted = resolve;
    });
    const client = await connectTls({
      host: "127.0.0.1",
      port: listener.address.port,
      ca: certs.ca.cert,
    });
    const server = await accepted;
    return {
      client,
      server,
      close: async () => {
        client.reset();
        server.reset();
      },
    };
  },
  async teardown() {
    await listener?.close();
    listener = undefined;
  },
});
