import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative, resolve } from "node:path";
import {
  expectNoLeakedHandles,
  type HandleSnapshot,
  recordConnection,
  snapshotHandles,
} from "@parley/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectUnix, listenUnix, MAX_UNIX_PATH_BYTES, type UnixListener } from "../src/index.js";
import { noise, shortTempDir, unixPair } from "./helpers/sockets.js";

let before: HandleSnapshot;
beforeAll(() => {
  before = snapshotHandles();
});
afterAll(() => expectNoLeakedHandles(before));

/** A listener whose connections echo and end when the peer does. */
function listenEcho(options: Parameters<typeof listenUnix>[0]): Promise<UnixListener> {
  return listenUnix(options, (connection) => {
    recordConnection(connection, { onData: (chunk, c) => c.write([chunk]), onEnd: (c) => c.end() });
  });
}

/** Connects, sends some bytes, checks the echo, and closes cleanly. */
async function roundTrip(path: string, options: { abstract?: boolean } = {}): Promise<void> {
  const client = await connectUnix({ path, ...options });
  const atClient = recordConnection(client);
  const payload = noise(1000, 1);
  client.write([payload]);
  await atClient.whenBytes(payload.length);
  expect(atClient.received().equals(payload)).toBe(true);
  client.end();
  expect(await atClient.whenClosed()).toBeUndefined();
}

/** Leaves a socket file behind the way a crash does: a server process killed with SIGKILL. */
async function crashedServerAt(path: string): Promise<void> {
  const code = `require("node:net").createServer().listen(${JSON.stringify(path)}, () => console.log("up"))`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((done) => child.stdout.once("data", done));
  child.kill("SIGKILL");
  await new Promise((done) => child.once("exit", done));
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("listenUnix", () => {
  it("creates the socket file with mode 0600 by default and reports a unix:// url", async () => {
    const path = join(shortTempDir(), "a.sock");
    const listener = await listenEcho({ path });
    expect(statSync(path).isSocket()).toBe(true);
    expect(modeOf(path)).toBe(0o600);
    expect(listener.url).toBe(`unix://${path}`);
    expect(listener.path).toBe(path);
    await roundTrip(path);
    await listener.close();
  });

  it("gives the socket file the mode option, and leaves no temporary file beside it", async () => {
    const dir = shortTempDir();
    const listener = await listenEcho({ path: join(dir, "g.sock"), mode: 0o660 });
    expect(modeOf(join(dir, "g.sock"))).toBe(0o660);
    expect(readdirSync(dir)).toEqual(["g.sock"]);
    await listener.close();
  });

  it("describes a Unix connection's ends by the socket path", async () => {
    const { client, server } = await unixPair();
    expect(client.remoteAddress).toMatch(/\/s\.sock$/);
    expect(server.localAddress).toBe(client.remoteAddress);
    expect(server.remoteAddress).toBe(`client of ${client.remoteAddress}`);
  });

  it("removes its socket file on close", async () => {
    const path = join(shortTempDir(), "c.sock");
    const listener = await listenEcho({ path });
    await listener.close();
    expect(existsSync(path)).toBe(false);
  });

  it("refuses a path over 107 bytes with UNIX_PATH_TOO_LONG and never binds a truncated one", async () => {
    const dir = shortTempDir();
    const path = join(dir, "x".repeat(MAX_UNIX_PATH_BYTES + 1 - dir.length - 1));
    expect(Buffer.byteLength(path)).toBe(108);
    await expect(listenEcho({ path })).rejects.toMatchObject({
      code: "UNIX_PATH_TOO_LONG",
      message: expect.stringContaining("108 bytes"),
    });
    await expect(connectUnix({ path })).rejects.toMatchObject({ code: "UNIX_PATH_TOO_LONG" });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("accepts a path of exactly 107 bytes", async () => {
    const dir = shortTempDir();
    const path = join(dir, "y".repeat(MAX_UNIX_PATH_BYTES - dir.length - 1));
    expect(Buffer.byteLength(path)).toBe(107);
    const listener = await listenEcho({ path });
    await roundTrip(path);
    await listener.close();
  });

  it("accepts a path relative to the working directory", async () => {
    const absolute = join(shortTempDir(), "r.sock");
    const path = relative(process.cwd(), absolute);
    const listener = await listenEcho({ path });
    expect(listener.url).toBe(path.startsWith("/") ? `unix://${path}` : `unix:${path}`);
    expect(statSync(absolute).isSocket()).toBe(true);
    await roundTrip(path);
    await listener.close();
    expect(existsSync(absolute)).toBe(false);
  });

  it("replaces a stale socket file left by a crashed server", async () => {
    const path = join(shortTempDir(), "stale.sock");
    await crashedServerAt(path);
    expect(statSync(path).isSocket()).toBe(true);
    await expect(connectUnix({ path })).rejects.toMatchObject({ code: "CONNECT_REFUSED" });
    const listener = await listenEcho({ path });
    await roundTrip(path);
    await listener.close();
  });

  it("refuses with ADDRESS_IN_USE when a live server answers at the path, and leaves it working", async () => {
    const path = join(shortTempDir(), "live.sock");
    const first = await listenEcho({ path });
    await expect(listenEcho({ path })).rejects.toMatchObject({
      code: "ADDRESS_IN_USE",
      address: `unix://${path}`,
      message: expect.stringContaining("live server"),
    });
    await roundTrip(path);
    await first.close();
  });

  it("refuses a regular file at the path with UNIX_PATH_NOT_SOCKET and never deletes it", async () => {
    const path = join(shortTempDir(), "file.sock");
    writeFileSync(path, "precious");
    await expect(listenEcho({ path })).rejects.toMatchObject({
      code: "UNIX_PATH_NOT_SOCKET",
      message: expect.stringContaining("a regular file"),
    });
    expect(readFileSync(path, "utf8")).toBe("precious");
  });

  it("refuses a directory at the path with UNIX_PATH_NOT_SOCKET", async () => {
    const path = join(shortTempDir(), "dir.sock");
    mkdirSync(path);
    await expect(listenEcho({ path })).rejects.toMatchObject({ code: "UNIX_PATH_NOT_SOCKET" });
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it("fails with LISTEN_FAILED when the socket's directory does not exist", async () => {
    const path = join(shortTempDir(), "missing", "m.sock");
    await expect(listenEcho({ path })).rejects.toMatchObject({ code: "LISTEN_FAILED" });
  });

  it("does not delete a successor's socket file when it closes after being replaced", async () => {
    const path = join(shortTempDir(), "restart.sock");
    const old = await listenEcho({ path });
    rmSync(path); // a deploy script clears the path and starts the new instance
    const successor = await listenEcho({ path });
    const inode = statSync(path).ino;
    await old.close();
    expect(statSync(path).ino).toBe(inode);
    await roundTrip(path);
    await successor.close();
    expect(existsSync(path)).toBe(false);
  });

  it("keeps existing connections working when its socket file is deleted, and closes without throwing", async () => {
    const path = join(shortTempDir(), "deleted.sock");
    const listener = await listenEcho({ path });
    const client = await connectUnix({ path });
    const atClient = recordConnection(client);
    rmSync(path);
    client.write([noise(500, 2)]);
    await atClient.whenBytes(500);
    await expect(connectUnix({ path })).rejects.toMatchObject({ code: "CONNECT_REFUSED" });
    const closing = listener.close();
    client.end();
    expect(await atClient.whenClosed()).toBeUndefined();
    await expect(closing).resolves.toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  it("checkDirectory refuses a directory open to others with UNIX_DIRECTORY_INSECURE", async () => {
    const dir = shortTempDir();
    chmodSync(dir, 0o755);
    await expect(
      listenEcho({ path: join(dir, "d.sock"), checkDirectory: true }),
    ).rejects.toMatchObject({
      code: "UNIX_DIRECTORY_INSECURE",
      message: expect.stringContaining("chmod 700"),
    });
    expect(readdirSync(dir)).toEqual([]);
    chmodSync(dir, 0o700);
    const listener = await listenEcho({ path: join(dir, "d.sock"), checkDirectory: true });
    await listener.close();
  });

  it("rejects bad options with INVALID_OPTION naming the option", async () => {
    const dir = shortTempDir();
    const bad: [Parameters<typeof listenUnix>[0], string][] = [
      [{ path: "" }, "path"],
      [{ path: join(dir, "a\0b") }, "NUL"],
      [{ path: join(dir, "m.sock"), mode: 0o1000 }, "mode"],
      [{ path: join(dir, "p.sock"), probeTimeoutMs: 0 }, "probeTimeoutMs"],
      [{ path: join(dir, "c.sock"), checkDirectory: 1 as unknown as boolean }, "checkDirectory"],
    ];
    for (const [options, name] of bad) {
      await expect(listenEcho(options)).rejects.toMatchObject({
        code: "INVALID_OPTION",
        message: expect.stringContaining(name),
      });
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe.runIf(process.platform === "linux")("abstract namespace (Linux)", () => {
  const name = () => `parley-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

  it("listens and connects on an abstract name, creating no file", async () => {
    const abstractName = name();
    const listener = await listenEcho({ path: abstractName, abstract: true });
    expect(listener.url).toBe(`unix-abstract:${abstractName}`);
    expect(listener.path).toBe(`@${abstractName}`);
    expect(listener.abstract).toBe(true);
    expect(existsSync(resolve(abstractName))).toBe(false);
    await roundTrip(abstractName, { abstract: true });
    await roundTrip(`\0${abstractName}`);
    await listener.close();
  });

  it("refuses an abstract name in use with ADDRESS_IN_USE", async () => {
    const abstractName = name();
    const listener = await listenEcho({ path: `\0${abstractName}` });
    await expect(listenEcho({ path: abstractName, abstract: true })).rejects.toMatchObject({
      code: "ADDRESS_IN_USE",
    });
    await listener.close();
  });
});

describe("connectUnix", () => {
  it("fails fast with CONNECT_REFUSED when no socket file exists", async () => {
    const path = join(shortTempDir(), "none.sock");
    await expect(connectUnix({ path, connectTimeoutMs: 60_000 })).rejects.toMatchObject({
      code: "CONNECT_REFUSED",
      retryable: true,
      message: expect.stringContaining("no socket file"),
      cause: expect.objectContaining({ code: "ENOENT" }),
    });
  });

  it("fails with CONNECT_REFUSED when the path is a regular file", async () => {
    const path = join(shortTempDir(), "plain.sock");
    writeFileSync(path, "");
    await expect(connectUnix({ path })).rejects.toMatchObject({ code: "CONNECT_REFUSED" });
  });
});
