import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  authProof,
  helloDigest,
  matchProof,
  matchToken,
  type ProofTranscript,
} from "../src/auth-proof.js";

const OLD = Buffer.from("old-secret-0123456789abcdef");
const NEW = Buffer.from("new-secret-fedcba9876543210");

function transcript(overrides: Partial<ProofTranscript> = {}): ProofTranscript {
  return {
    connectorNonce: Buffer.alloc(32, 1),
    acceptorNonce: Buffer.alloc(32, 2),
    connectorHello: helloDigest(Buffer.from("connector hello")),
    acceptorHello: helloDigest(Buffer.from("acceptor hello")),
    exporter: undefined,
    ...overrides,
  };
}

describe("authProof", () => {
  it("is a 32-byte HMAC that holds neither the secret nor its hash", () => {
    const proof = Buffer.from(authProof("connector", NEW, transcript()));
    expect(proof.length).toBe(32);
    expect(proof.equals(createHash("sha256").update(NEW).digest())).toBe(false);
    expect(proof.includes(NEW)).toBe(false);
  });

  it("differs per direction, so a proof cannot be reflected to the side that made it", () => {
    const t = transcript();
    const mine = authProof("connector", NEW, t);
    expect(matchProof("acceptor", [NEW], t, mine)).toBe(-1);
    expect(matchProof("connector", [NEW], t, mine)).toBe(0);
  });

  it("does not verify with other nonces: a recorded proof is useless on a new connection", () => {
    const recorded = authProof("connector", NEW, transcript());
    const fresh = transcript({ acceptorNonce: randomBytes(32) });
    expect(matchProof("connector", [NEW], fresh, recorded)).toBe(-1);
  });

  it("does not verify when a Hello was altered on the way", () => {
    const proof = authProof("acceptor", NEW, transcript());
    const altered = transcript({ acceptorHello: helloDigest(Buffer.from("acceptor hellO")) });
    expect(matchProof("acceptor", [NEW], altered, proof)).toBe(-1);
  });

  it("binds to the TLS session: a proof made for one exporter value fails on another", () => {
    const sessionA = transcript({ exporter: randomBytes(32) });
    const sessionB = transcript({ exporter: randomBytes(32) });
    const proof = authProof("connector", NEW, sessionA);
    expect(matchProof("connector", [NEW], sessionA, proof)).toBe(0);
    expect(matchProof("connector", [NEW], sessionB, proof)).toBe(-1);
    expect(matchProof("connector", [NEW], transcript(), proof)).toBe(-1); // unbound
  });
});

describe("matchProof", () => {
  it("finds the secret that matched among several (rotation), and none for a removed one", () => {
    const t = transcript();
    expect(matchProof("connector", [OLD, NEW], t, authProof("connector", OLD, t))).toBe(0);
    expect(matchProof("connector", [OLD, NEW], t, authProof("connector", NEW, t))).toBe(1);
    expect(matchProof("connector", [NEW], t, authProof("connector", OLD, t))).toBe(-1);
  });

  it("refuses a proof of the wrong length without throwing", () => {
    const t = transcript();
    const proof = authProof("connector", NEW, t);
    expect(matchProof("connector", [NEW], t, proof.subarray(0, 16))).toBe(-1);
    expect(matchProof("connector", [NEW], t, new Uint8Array(0))).toBe(-1);
  });
});

describe("matchToken (legacy 1.0/1.1 tokens under allowLegacyAuth)", () => {
  it("finds the secret equal to the token, and none for a wrong or missing one", () => {
    expect(matchToken([OLD, NEW], NEW.toString())).toBe(1);
    expect(matchToken([OLD, NEW], "a-guess")).toBe(-1);
    expect(matchToken([OLD, NEW], undefined)).toBe(-1);
  });
});
