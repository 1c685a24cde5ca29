import { once } from "node:events";
import { connect } from "node:net";
import { generateTestCertificates } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connectTls, listenTls, type TlsHandshakeAdmission } from "../src/index.js";

const certs = generateTestCertificates();

/** An admission that records who is in a TLS handshake now, and can drop them. */
function recordingAdmission() {
  const inside = new Map<string, (error: Error) => void>();
  let entered = 0;
  const admission: TlsHandshakeAdmission = {
    enterTlsHandshake(remoteAddress, drop) {
      const key = `${remoteAddress}#${entered++}`;
      inside.set(key, drop);
      return () => inside.delete(key);
    },
  };
  return { admission, inside, entered: () => entered };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("handshakeAdmission", () => {
  it("counts a socket from its TCP connection until its TLS handshake completes", async () => {
    const { admission, inside, entered } = recordingAdmission();
    const accepted: string[] = [];
    const listener = await listenTls({ ...certs.server, handshakeAdmission: admission }, (c) => {
      accepted.push(c.remoteAddress);
      // By the time the connection is handed on, it no longer counts as in its TLS handshake.
      expect(inside.size).toBe(0);
      c.reset();
    });
    onTestFinished(() => listener.destroy());
    const { port } = listener.address;
    const stalled = connect({ host: "127.0.0.1", port });
    stalled.on("error", () => {});
    onTestFinished(() => {
      stalled.destroy();
    });
    await until(() => inside.size === 1);
    stalled.destroy();
    await until(() => inside.size === 0); // left without a handshake: released
    const client = await connectTls({ host: "127.0.0.1", port, ca: certs.ca.cert });
    client.attach({ onData() {}, onEnd() {}, onDrain() {}, onClose() {} });
    await until(() => accepted.length === 1);
    client.reset();
    expect(entered()).toBe(2);
    expect(inside.size).toBe(0);
  });

  it("lets the admission drop a socket in its handshake", async () => {
    const { admission, inside } = recordingAdmission();
    const listener = await listenTls({ ...certs.server, handshakeAdmission: admission }, (c) =>
      c.reset(),
    );
    onTestFinished(() => listener.destroy());
    const stalled = connect({ host: "127.0.0.1", port: listener.address.port });
    stalled.on("error", () => {});
    stalled.on("data", () => {});
    const closed = once(stalled, "close");
    await until(() => inside.size === 1);
    [...inside.values()][0]!(new Error("room needed"));
    await closed;
    await until(() => inside.size === 0);
  });

  it("refuses a handshakeAdmission without enterTlsHandshake with INVALID_OPTION", async () => {
    await expect(
      listenTls({ ...certs.server, handshakeAdmission: {} as never }, () => {}),
    ).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("handshakeAdmission"),
    });
  });
});

describe("unknown TLS options", () => {
  it("listenTls and connectTls refuse an unknown option, naming the nearest or the other function", async () => {
    await expect(
      listenTls({ ...certs.server, mutal: true } as never, () => {}),
    ).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: 'listenTls() has no option "mutal"; did you mean mutual?',
    });
    await expect(
      connectTls({ host: "127.0.0.1", port: 9, ca: certs.ca.cert, mutual: true } as never),
    ).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: "mutual is an option of listenTls(), not of connectTls(); remove it here",
    });
    await expect(
      connectTls({ host: "127.0.0.1", port: 9, servrname: "x" } as never),
    ).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("did you mean servername?"),
    });
  });
});
