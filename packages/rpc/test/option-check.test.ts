import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { generateTestCertificates } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

function tempDir(mode: number): string {
  const dir = mkdtempSync("/tmp/pl-opt-");
  chmodSync(dir, mode);
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const base = { contract: testContract, handlers: testHandlers() };

describe("serve() passes every option to the layer that uses it", () => {
  it("checkDirectory reaches the Unix listener: a directory open to others is refused", async () => {
    const open = tempDir(0o755);
    await expect(
      serve({ ...base, url: `unix://${join(open, "s.sock")}`, checkDirectory: true }),
    ).rejects.toMatchObject({ code: "UNIX_DIRECTORY_INSECURE" });
    const closed = tempDir(0o700);
    const server = await serve({
      ...base,
      url: `unix://${join(closed, "s.sock")}`,
      checkDirectory: true,
      socketMode: 0o660,
    });
    onTestFinished(() => server.close());
    expect(statSync(join(closed, "s.sock")).mode & 0o777).toBe(0o660);
  });
});

describe("unknown options are INVALID_OPTION", () => {
  it.each([
    [{ checkDirectry: true }, "did you mean checkDirectory?"],
    [{ authSecret: "x" }, "did you mean authSecrets?"],
    [{ allowLegacyAuht: true }, "did you mean allowLegacyAuth?"],
    [{ maxConection: 5 }, "did you mean maxConnections?"],
    [{ maxFrmaeBytes: 65536 }, "did you mean maxFrameBytes?"],
    [{ frobnicate: 1 }, 'serve() has no option "frobnicate"'],
    [{ connectTimeoutMs: 100 }, "connectTimeoutMs is an option of connect(), not of serve()"],
  ])("serve() refuses %o: %s", async (extra, message) => {
    const options = { ...base, url: "tcp://127.0.0.1:0", ...extra };
    await expect(serve(options as Parameters<typeof serve>[0])).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining(message),
    });
  });

  it.each([
    [{ authTokn: "x" }, "did you mean authToken?"],
    [{ reconect: true }, "did you mean reconnect?"],
    [{ socketMode: 0o600 }, "socketMode is an option of serve(), not of connect()"],
  ])("connect() refuses %o before dialling: %s", async (extra, message) => {
    // Port 9 (discard) on loopback is never dialled: the check comes first.
    const options = { contract: testContract, url: "tcp://127.0.0.1:9", ...extra };
    await expect(connect(options as Parameters<typeof connect>[0])).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining(message),
    });
  });

  it.each([
    [{ exposeInternalErrors: "false" }, "exposeInternalErrors must be true or false"],
    [{ requireCallbacks: "yes" }, "requireCallbacks must be true or false"],
    [{ createContext: "x" }, "createContext must be a function"],
    [{ onError: 42 }, "onError must be a function"],
  ])("serve() refuses a value of the wrong type, %o: %s", async (extra, message) => {
    const options: unknown = { ...base, url: "tcp://127.0.0.1:0", ...extra };
    await expect(serve(options as Parameters<typeof serve>[0])).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining(message),
    });
  });

  it.each([
    // An environment variable's "false" must not turn exposure on.
    [{ exposeInternalErrors: "false" }, "exposeInternalErrors must be true or false"],
    [{ reconnect: 1 }, "reconnect must be true, false or an object"],
    [{ reconnect: null }, "reconnect must be true, false or an object"],
    [{ reconnect: { initalDelayMs: 5 } }, "did you mean initialDelayMs?"],
    [{ waitForConnection: "false" }, "waitForConnection must be true or false"],
    [{ waitForReady: null }, "waitForReady must be true, false or { timeoutMs"],
    [{ onError: "x" }, "onError must be a function"],
    // An engine option too: refused before dialling, not CONNECT_REFUSED from port 9.
    [{ requestTimeoutMs: -1 }, "requestTimeoutMs must be an integer"],
  ])(
    "connect() refuses a value of the wrong type before dialling, %o: %s",
    async (extra, message) => {
      const options: unknown = { contract: testContract, url: "tcp://127.0.0.1:9", ...extra };
      await expect(connect(options as Parameters<typeof connect>[0])).rejects.toMatchObject({
        code: "INVALID_OPTION",
        message: expect.stringContaining(message),
      });
    },
  );

  it("ignores an option set to undefined (a spread config), as it changes nothing", async () => {
    const options = { ...base, url: "tcp://127.0.0.1:0", notAnOption: undefined };
    const server = await serve(options as Parameters<typeof serve>[0]);
    await server.close();
  });
});

describe("a tcp:// client that meets TLS", () => {
  const certs = generateTestCertificates();

  it("hears that the server seems to speak TLS and to use tls://", async () => {
    const server = await serve({ ...base, url: "tls://127.0.0.1:0", tls: certs.server });
    onTestFinished(() => server.close());
    const plain = server.url.replace("tls://", "tcp://");
    await expect(connect({ url: plain, contract: testContract })).rejects.toMatchObject({
      code: "NOT_PARLEY",
      message: expect.stringContaining(`the server seems to speak TLS: use ${server.url}`),
      cause: expect.objectContaining({ code: "CONNECTION_LOST" }),
    });
  });

  it("keeps CONNECTION_LOST when the server that hung up does not speak TLS", async () => {
    const raw = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    const { port } = raw.address() as { port: number };
    await expect(
      connect({ url: `tcp://127.0.0.1:${port}`, contract: testContract }),
    ).rejects.toMatchObject({ code: "CONNECTION_LOST" });
  });
});
