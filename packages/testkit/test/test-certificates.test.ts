import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateTestCertificates } from "../src/index.js";

describe("generateTestCertificates", () => {
  const certs = generateTestCertificates();
  const x509 = (pem: string) => new X509Certificate(pem);

  it("signs the server and client certificates with the test CA", () => {
    const ca = x509(certs.ca.cert);
    expect(x509(certs.server.cert).verify(ca.publicKey)).toBe(true);
    expect(x509(certs.client.cert).verify(ca.publicKey)).toBe(true);
    expect(x509(certs.strangerClient.cert).verify(ca.publicKey)).toBe(false);
  });

  it("names localhost and the loopback addresses in the server certificate only", () => {
    expect(x509(certs.server.cert).checkHost("localhost")).toBe("localhost");
    expect(x509(certs.server.cert).checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x509(certs.elsewhere.cert).checkHost("localhost")).toBeUndefined();
  });

  it("makes a self-signed certificate no CA vouches for", () => {
    const self = x509(certs.selfSigned.cert);
    expect(self.verify(self.publicKey)).toBe(true);
    expect(self.verify(x509(certs.ca.cert).publicKey)).toBe(false);
  });
});
