import { connect } from "node:net";
import type { TLSSocket } from "node:tls";
import { recordConnection, type TestCertificates } from "@parley/testkit";
import { listenTcp } from "@parley/transport-net";
import { describe, expect, it, onTestFinished } from "vitest";
import { connectTls } from "../src/index.js";
import { connectTo, echoServer, expectEcho, useTestCertificates } from "./helpers/tls-servers.js";

let certs: TestCertificates;
useTestCertificates((made) => {
  certs = made;
});

const codeOf = (error: unknown) => (error as { code?: unknown }).code;
const causeCodeOf = (error: unknown) => codeOf((error as { cause?: unknown }).cause);

/** A raw TCP client of `port` that sends `bytes` (or nothing); resolves when the server drops it. */
function rawClient(port: number, bytes?: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const received: Buffer[] = [];
    socket.on("data", (chunk) => received.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => resolve(Buffer.concat(received)));
    if (bytes !== undefined) socket.write(bytes);
  });
}

describe("server certificate checks", () => {
  it("refuses a server certificate no trusted CA signed, with TLS_HANDSHAKE_FAILED", async () => {
    const { listener, accepted } = await echoServer(certs, certs.selfSigned);
    const attempt = connectTo(listener, certs);
    await expect(attempt).rejects.toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
      retryable: false,
      message: expect.stringContaining("give its CA in ca"),
      cause: expect.objectContaining({ code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
    });
    expect(accepted).toHaveLength(0);
  });

  it("refuses a certificate for another name, and accepts it when servername is that name", async () => {
    const { listener } = await echoServer(certs, certs.elsewhere);
    await expect(connectTo(listener, certs, { host: "localhost" })).rejects.toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
      cause: expect.objectContaining({ code: "ERR_TLS_CERT_ALTNAME_INVALID" }),
    });
    await expectEcho(await connectTo(listener, certs, { servername: "elsewhere.example" }));
  });

  it("trusts Node's bundled roots only when no ca is given, so a private CA is refused", async () => {
    const { listener } = await echoServer(certs);
    const attempt = connectTls({ host: "127.0.0.1", port: listener.address.port });
    await expect(attempt).rejects.toMatchObject({ code: "TLS_HANDSHAKE_FAILED" });
    expect(causeCodeOf(await attempt.catch((e: unknown) => e))).toBe(
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    );
  });
});

describe("mutual TLS", () => {
  it("admits a client whose certificate the CA signed; the server sees who it is", async () => {
    const { listener, accepted } = await echoServer(certs, { mutual: true, ca: certs.ca.cert });
    const client = await connectTo(listener, certs, certs.client);
    await expect.poll(() => accepted.length).toBe(1);
    const peer = (accepted[0]!.socket as TLSSocket).getPeerCertificate();
    expect(peer.subject.CN).toBe("client");
    await expectEcho(client);
  });

  it("refuses a client without a certificate, and reports it to onClientError", async () => {
    const { listener, accepted, clientErrors } = await echoServer(certs, {
      mutual: true,
      ca: certs.ca.cert,
    });
    // Under TLS 1.3 the client's handshake completes before the server checks its certificate, so
    // the refusal reaches the client either from connectTls or as its connection's close error.
    const outcome = await connectTo(listener, certs).then(
      (connection) => recordConnection(connection, { onEnd: (c) => c.end() }).whenClosed(),
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(Error);
    expect(String(causeCodeOf(outcome))).toMatch(/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/);
    await expect.poll(() => clientErrors.length).toBe(1);
    expect(clientErrors[0]).toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
      message: expect.stringContaining("the client sent no certificate"),
    });
    expect(accepted).toHaveLength(0);
  });

  it("refuses a client whose certificate another CA signed", async () => {
    const { listener, accepted, clientErrors } = await echoServer(certs, {
      mutual: true,
      ca: certs.ca.cert,
    });
    // Node's server checks a client certificate after the handshake and drops the connection
    // without an alert, so the client may see either an error or a bare end of stream.
    let receivedBytes = -1;
    await connectTo(listener, certs, certs.strangerClient).then(
      async (connection) => {
        const recorder = recordConnection(connection, { onEnd: (c) => c.end() });
        await recorder.whenClosed();
        receivedBytes = recorder.receivedBytes;
      },
      () => {
        receivedBytes = 0;
      },
    );
    expect(receivedBytes).toBe(0);
    await expect.poll(() => clientErrors.length).toBe(1);
    expect(clientErrors[0]).toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
      message: expect.stringContaining("give its CA in ca"),
      cause: expect.objectContaining({ code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }),
    });
    expect(accepted).toHaveLength(0);
  });
});

describe("handshake timeouts and peers that do not speak TLS", () => {
  it("cuts off a raw TCP client that never speaks TLS after handshakeTimeoutMs", async () => {
    const { listener, clientErrors, accepted } = await echoServer(certs, {
      handshakeTimeoutMs: 200,
    });
    await rawClient(listener.address.port);
    await expect.poll(() => clientErrors.length).toBe(1);
    expect(clientErrors[0]).toMatchObject({ code: "TLS_HANDSHAKE_TIMEOUT", retryable: true });
    expect(accepted).toHaveLength(0);
    expect(listener.connections).toBe(0);
  });

  it.each(["close", "destroy"] as const)(
    "%s() ends a listener at once, cutting off clients still in their handshake",
    async (end) => {
      const { listener, accepted } = await echoServer(certs, { handshakeTimeoutMs: 5_000 });
      let connected = false;
      const silent = rawClient(listener.address.port); // connects and never speaks
      listener.server.once("connection", () => {
        connected = true;
      });
      await expect.poll(() => connected).toBe(true);
      const started = performance.now();
      await listener[end]();
      // Before, it waited for the handshake timeout (5 s) to free the socket.
      expect(performance.now() - started).toBeLessThan(2_000);
      await silent; // the client saw its socket closed
      expect(accepted).toHaveLength(0);
    },
  );

  it("gives up with TLS_HANDSHAKE_TIMEOUT when the server accepts but never answers", async () => {
    const silent = await listenTcp({}, (connection) =>
      recordConnection(connection, { onEnd: (c) => c.end() }),
    );
    onTestFinished(() => silent.destroy());
    const attempt = connectTls({
      host: "127.0.0.1",
      port: silent.address.port,
      ca: certs.ca.cert,
      handshakeTimeoutMs: 200,
    });
    await expect(attempt).rejects.toMatchObject({
      code: "TLS_HANDSHAKE_TIMEOUT",
      message: expect.stringContaining("handshakeTimeoutMs (200 ms)"),
    });
    await expect.poll(() => silent.connections).toBe(0);
  });

  it("fails CONNECT_FAILED (retryable) at a plain TCP port that ends the connection on a TLS record (16 03)", async () => {
    const firstBytes: Uint8Array[] = [];
    const plain = await listenTcp({}, (connection) => {
      recordConnection(connection, {
        onData: (chunk, c) => {
          firstBytes.push(chunk);
          c.end(); // a plain server gives up on bytes it cannot read
        },
      });
    });
    onTestFinished(() => plain.destroy());
    const attempt = connectTls({ host: "127.0.0.1", port: plain.address.port, ca: certs.ca.cert });
    // From the client, this is a handshake the server dropped, as a server shedding load does.
    await expect(attempt).rejects.toMatchObject({
      code: "CONNECT_FAILED",
      retryable: true,
      message: expect.stringContaining("one that does not speak TLS"),
    });
    expect([...firstBytes[0]!.subarray(0, 2)]).toEqual([0x16, 0x03]);
  });

  it("fails with TLS_HANDSHAKE_FAILED at a plain TCP port that answers in its own protocol", async () => {
    const plain = await listenTcp({}, (connection) => {
      recordConnection(connection, {
        onData: (_chunk, c) => {
          c.write([Buffer.from("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")]);
          c.end();
        },
      });
    });
    onTestFinished(() => plain.destroy());
    const attempt = connectTls({ host: "127.0.0.1", port: plain.address.port, ca: certs.ca.cert });
    await expect(attempt).rejects.toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
      retryable: false,
      message: expect.stringContaining("does not seem to speak TLS"),
    });
  });

  it("reports a plain HTTP request at the TLS port as TLS_HANDSHAKE_FAILED naming HTTP", async () => {
    const { listener, clientErrors } = await echoServer(certs);
    await rawClient(listener.address.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await expect.poll(() => clientErrors.length).toBe(1);
    expect(clientErrors[0]).toMatchObject({
      code: "TLS_HANDSHAKE_FAILED",
      message: expect.stringContaining("plain HTTP request"),
    });
  });

  it("abandons the handshake with CONNECT_ABORTED when the signal aborts", async () => {
    const silent = await listenTcp({}, (connection) =>
      recordConnection(connection, { onEnd: (c) => c.end() }),
    );
    onTestFinished(() => silent.destroy());
    const controller = new AbortController();
    const attempt = connectTls({
      host: "127.0.0.1",
      port: silent.address.port,
      ca: certs.ca.cert,
      signal: controller.signal,
    });
    await expect.poll(() => silent.connections).toBe(1);
    controller.abort(new Error("stop"));
    await expect(attempt).rejects.toMatchObject({ code: "CONNECT_ABORTED" });
  });
});
