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
  const dir = new CertificateDirectory(mkdtempSync(join(tmpdir(), "parley-certs-")));
  try {
    dir.makeCa("ca", "Parley Test CA");
    dir.makeCa("other", "Some Other CA");
    const serverNames =
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth";
    return {
      ca: dir.pair("ca"),
      server: dir.makeLeaf("server", "localhost", "ca", serverNames),
      elsewhere: dir.makeLeaf(
        "elsewhere",
        "elsewhere.example",
        "ca",
        "subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth",
      ),
      selfSigned: dir.makeSelfSigned("self"),
      client: dir.makeLeaf("client", "client", "ca", "extendedKeyUsage=clientAuth"),
      strangerClient: dir.makeLeaf("stranger", "stranger", "other", "extendedKeyUsage=clientAuth"),
    };
  } finally {
    rmSync(dir.path, { recursive: true, force: true });
  }
}

/** A temporary directory where openssl makes keys and certificates. */
class CertificateDirectory {
  private serial = 1;

  constructor(readonly path: string) {}

  pair(name: string): KeyPair {
    return { key: this.read(`${name}.key`), cert: this.read(`${name}.crt`) };
  }

  makeCa(name: string, cn: string): void {
    this.openssl(
      ...["req", "-x509", ...CURVE, "-keyout", `${name}.key`, "-out", `${name}.crt`],
      ...["-days", "2", "-subj", `/CN=${cn}`],
      ...["-addext", "basicConstraints=critical,CA:TRUE"],
      ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    );
  }

  makeSelfSigned(name: string): KeyPair {
    this.openssl(
      ...["req", "-x509", ...CURVE, "-keyout", `${name}.key`, "-out", `${name}.crt`],
      ...["-days", "2", "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    );
    return this.pair(name);
  }

  makeLeaf(name: string, cn: string, ca: string, extensions: string): KeyPair {
    writeFileSync(join(this.path, `${name}.ext`), `basicConstraints=CA:FALSE\n${extensions}\n`);
    this.openssl(
      "req",
      ...CURVE,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${cn}`,
    );
    this.openssl(
      ...["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`],
      ...["-set_serial", String(this.serial++), "-days", "2", "-out", `${name}.crt`],
      ...["-extfile", `${name}.ext`],
    );
    return this.pair(name);
  }

  private openssl(...args: string[]): void {
    execFileSync("openssl", args, { cwd: this.path, stdio: "pipe" });
  }

  private read(name: string): string {
    return readFileSync(join(this.path, name), "utf8");
  }
}
