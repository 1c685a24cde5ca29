import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A key and certificate, PEM. */
export interface KeyPair {
  key: string;
  cert: string;
}

/** Throwaway certificates for TLS tests, made with the `openssl` command line tool (which must be on PATH). */
export interface TestCertificates {
  /** The CA that signs `server` and `client`. */
  ca: KeyPair;
  /** localhost, 127.0.0.1 and ::1, signed by `ca`. */
  server: KeyPair;
  /** `elsewhere.example` only, signed by `ca`: the wrong name for localhost. */
  elsewhere: KeyPair;
  /** A self-signed certificate for localhost and 127.0.0.1: trusted by nobody. */
  selfSigned: KeyPair;
  /** A client certificate (CN=client), signed by `ca`. */
  client: KeyPair;
  /** A client certificate signed by another CA. */
  strangerClient: KeyPair;
}

const CURVE = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * Generates every certificate in a fresh temporary directory (removed afterwards). EC P-256 keys,
 * valid for two days: fast to make, and never worth stealing.
 */
export function generateTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "parley-certs-"));
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  let serial = 1;

  const makeCa = (name: string, cn: string): void => {
    openssl(
      "req",
      "-x509",
      ...CURVE,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
  };
  const makeLeaf = (name: string, cn: string, ca: string, extensions: string): KeyPair => {
    writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\n${extensions}\n`);
    openssl("req", ...CURVE, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.crt`,
      "-CAkey",
      `${ca}.key`,
      "-set_serial",
      String(serial++),
      "-days",
      "2",
      "-out",
      `${name}.crt`,
      "-extfile",
      `${name}.ext`,
    );
    return { key: read(`${name}.key`), cert: read(`${name}.crt`) };
  };

  try {
    makeCa("ca", "Parley Test CA");
    makeCa("other", "Some Other CA");
    openssl(
      "req",
      "-x509",
      ...CURVE,
      "-keyout",
      "self.key",
      "-out",
      "self.crt",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    );
    const serverNames =
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth";
    return {
      ca: { key: read("ca.key"), cert: read("ca.crt") },
      server: makeLeaf("server", "localhost", "ca", serverNames),
      elsewhere: makeLeaf(
        "elsewhere",
        "elsewhere.example",
        "ca",
        "subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth",
      ),
      selfSigned: { key: read("self.key"), cert: read("self.crt") },
      client: makeLeaf("client", "client", "ca", "extendedKeyUsage=clientAuth"),
      strangerClient: makeLeaf("stranger", "stranger", "other", "extendedKeyUsage=clientAuth"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
