import tls from "node:tls";
import { recordConnection, type TestCertificates } from "@parley/testkit";
import { listenTcp } from "@parley/transport-net";
import { describe, expect, it } from "vitest";
import {
  connectTls,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_TLS_MIN_VERSION,
  listenTls,
  type TlsListenOptions,
} from "../src/index.js";
import { connectTo, echoServer, expectEcho, useTestCertificates } from "./helpers/tls-servers.js";

let certs: TestCertificates;
useTestCertificates((made) => {
  certs = made;
});

/** A raw Node TLS client limited to the given versions; resolves with the protocol or the error. */
function rawClient(port: number, minVersion: tls.SecureVersion, maxVersion: tls.SecureVersion) {
  return new Promise<string | Error>((resolve) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port,
      ca: certs.ca.cert,
      minVersion,
      maxVersion,
      // Security level 0: a recent OpenSSL will not even offer TLS 1.1 otherwise, and then the
      // server would be refusing garbage rather than an old version.
      ciphers: "DEFAULT:@SECLEVEL=0",
    });
    socket.on("secureConnect", () => {
      resolve(socket.getProtocol() ?? "none");
      socket.destroy();
    });
    socket.on("error", (error) => resolve(error));
  });
}

describe("listenTls and connectTls", () => {
  it("exchange bytes over TLS 1.3 with a CA-signed certificate; the url says tls://", async () => {
    const { listener, accepted } = await echoServer(certs);
    expect(listener.url).toBe(`tls://127.0.0.1:${listener.address.port}`);
    const client = await connectTo(listener, certs);
    expect(client.kind).toBe("tls");
    expect((client.socket as tls.TLSSocket).getProtocol()).toBe("TLSv1.3");
    expect(client.remoteAddress).toBe(`127.0.0.1:${listener.address.port}`);
    await expectEcho(client);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.kind).toBe("tls");
  });

  it("connects by host name, checking the certificate against that name", async () => {
    const { listener } = await echoServer(certs);
    await expectEcho(await connectTo(listener, certs, { host: "localhost" }));
  });

  it("accepts TLS 1.2 and refuses TLS 1.1 by default, whatever Node's process-wide default", async () => {
    const nodeDefault = tls.DEFAULT_MIN_VERSION;
    tls.DEFAULT_MIN_VERSION = "TLSv1";
    try {
      const { listener, clientErrors } = await echoServer(certs);
      expect(await rawClient(listener.address.port, "TLSv1.2", "TLSv1.2")).toBe("TLSv1.2");
      const refused = await rawClient(listener.address.port, "TLSv1", "TLSv1.1");
      expect(refused).toBeInstanceOf(Error);
      await expect.poll(() => clientErrors.length).toBe(1);
      expect(clientErrors[0]).toMatchObject({
        code: "TLS_HANDSHAKE_FAILED",
        message: expect.stringContaining("minVersion"),
      });
    } finally {
      tls.DEFAULT_MIN_VERSION = nodeDefault;
    }
  });

  it("refuses TLS 1.2 clients under minVersion TLSv1.3", async () => {
    const { listener, clientErrors } = await echoServer(certs, { minVersion: "TLSv1.3" });
    expect(await rawClient(listener.address.port, "TLSv1.2", "TLSv1.2")).toBeInstanceOf(Error);
    await expect.poll(() => clientErrors.length).toBe(1);
    expect(clientErrors[0]).toMatchObject({ code: "TLS_HANDSHAKE_FAILED" });
  });

  it("fails fast with CONNECT_REFUSED when nothing listens on the port", async () => {
    const plain = await listenTcp({}, (c) => c.reset());
    const port = plain.address.port;
    await plain.close();
    await expect(
      connectTls({ host: "127.0.0.1", port, ca: certs.ca.cert, connectTimeoutMs: 60_000 }),
    ).rejects.toMatchObject({ code: "CONNECT_REFUSED", retryable: true });
  });

  it("reset() destroys a TLS connection: its own onClose gets the error, the peer sees an end", async () => {
    const { listener } = await echoServer(certs);
    const client = await connectTo(listener, certs);
    const atClient = recordConnection(client);
    client.write([Buffer.from("x")]);
    await atClient.whenBytes(1);
    const reason = new Error("abort");
    client.reset(reason);
    expect(await atClient.whenClosed()).toBe(reason);
    await expect.poll(() => listener.connections).toBe(0);
  });

  it("exports its defaults: TLS 1.2 minimum and a 10 s handshake timeout", () => {
    expect(DEFAULT_TLS_MIN_VERSION).toBe("TLSv1.2");
    expect(DEFAULT_HANDSHAKE_TIMEOUT_MS).toBe(10_000);
  });
});

describe("TLS options", () => {
  const onConnection = () => {};
  const listenWith = (options: Partial<TlsListenOptions>) =>
    listenTls({ cert: certs.server.cert, key: certs.server.key, ...options }, onConnection);

  it("rejects bad listen options with INVALID_OPTION naming the option", async () => {
    const bad: [Partial<TlsListenOptions>, string][] = [
      [{ cert: "" }, "cert"],
      [{ key: undefined as unknown as string }, "key"],
      [{ mutual: true }, "ca"],
      [{ minVersion: "TLSv1.1" as "TLSv1.2" }, "minVersion"],
      [{ handshakeTimeoutMs: 0 }, "handshakeTimeoutMs"],
      [{ port: -1 }, "port"],
      [{ key: certs.client.key }, "key that matches cert"],
      [{ cert: "not a certificate" }, "cert must be PEM"],
      [{ ca: "/etc/ssl/ca.pem" }, "ca must be PEM"],
      [{ cert: certs.server.cert.replace(/[A-Za-z]{20}\n/, "x\n") }, "could not be loaded"],
    ];
    for (const [options, name] of bad) {
      await expect(listenWith(options)).rejects.toMatchObject({
        code: "INVALID_OPTION",
        message: expect.stringContaining(name),
      });
    }
  });

  it("rejects bad connect options with INVALID_OPTION naming the option", async () => {
    const base = { host: "127.0.0.1", port: 7443 };
    const bad: [Parameters<typeof connectTls>[0], string][] = [
      [{ ...base, cert: certs.client.cert }, "cert and key"],
      [{ ...base, servername: "" }, "servername"],
      [{ ...base, handshakeTimeoutMs: 1.5 }, "handshakeTimeoutMs"],
      [{ ...base, minVersion: "TLSv1" as "TLSv1.2" }, "minVersion"],
      [{ ...base, ca: "garbage" }, "ca must be PEM"],
      [{ ...base, cert: certs.client.cert, key: certs.server.key }, "could not be loaded"],
    ];
    for (const [options, name] of bad) {
      await expect(connectTls(options)).rejects.toMatchObject({
        code: "INVALID_OPTION",
        message: expect.stringContaining(name),
      });
    }
  });
});
