import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import {
  expectNoLeakedHandles,
  type HandleSnapshot,
  recordConnection,
  snapshotHandles,
} from "@parley/testkit";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  connectTcp,
  connectUnix,
  listenTcp,
  listenUnix,
  type SocketConnection,
  type SocketListener,
} from "../src/index.js";
import { noise, shortTempDir } from "./helpers/sockets.js";

let before: HandleSnapshot;
beforeAll(() => {
  before = snapshotHandles();
});
afterAll(() => expectNoLeakedHandles(before));

/** Runs `code` in a separate Node process; resolves with it once it prints its first line. */
async function startProcess(code: string): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.once("data", (data) => resolve(String(data).trim()));
  });
  return { child, line };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

/** A client process that connects, sends a stream of bytes and never reads what it is sent. */
function greedyClient(target: { port: number } | { path: string }): string {
  return `
    const socket = require("node:net").connect(${JSON.stringify(target)}, () => {
      console.log("connected");
      setInterval(() => socket.write(Buffer.alloc(1024, 7)), 1);
    });
    socket.pause();`;
}

/** Accepts one connection and reports it through the returned promise. */
function acceptOne(): {
  onConnection: (c: SocketConnection) => void;
  accepted: Promise<SocketConnection>;
} {
  let onConnection: (c: SocketConnection) => void = () => {};
  const accepted = new Promise<SocketConnection>((resolve) => {
    onConnection = resolve;
  });
  return { onConnection, accepted };
}

/** Kills the client process mid-stream and checks the server side closes and is released. */
async function expectFreedAfterClientKill(
  listener: SocketListener,
  accepted: Promise<SocketConnection>,
  child: ChildProcess,
): Promise<void> {
  const server = await accepted;
  const atServer = recordConnection(server, { onEnd: (c) => c.end() });
  server.write([noise(64 * 1024, 1)]); // unread by the client, so its death is an abortive close
  await atServer.whenBytes(4096);
  await kill(child);
  const error = await atServer.whenClosed();
  if (error !== undefined) expect((error as { code?: string }).code).toBe("CONNECTION_RESET");
  expect(atServer.counts.closes).toBe(1);
  expect(listener.connections).toBe(0);
  await listener.close();
}

describe("a process killed with SIGKILL", () => {
  it("frees the server's TCP connection when the client process dies mid-stream", async () => {
    const { onConnection, accepted } = acceptOne();
    const listener = await listenTcp({}, onConnection);
    const { child } = await startProcess(greedyClient({ port: listener.address.port }));
    await expectFreedAfterClientKill(listener, accepted, child);
  });

  it("frees the server's Unix connection when the client process dies mid-stream", async () => {
    const { onConnection, accepted } = acceptOne();
    const path = join(shortTempDir(), "k.sock");
    const listener = await listenUnix({ path }, onConnection);
    const { child } = await startProcess(greedyClient({ path }));
    await expectFreedAfterClientKill(listener, accepted, child);
  });

  it("settles the client's TCP connection when the server process dies", async () => {
    const { child, line } = await startProcess(`
      const server = require("node:net").createServer((socket) => socket.pause());
      server.listen(0, "127.0.0.1", () => console.log(server.address().port));`);
    const client = await connectTcp({ host: "127.0.0.1", port: Number(line) });
    const atClient = recordConnection(client, { onEnd: (c) => c.end() });
    client.write([noise(1000, 2)]);
    await kill(child);
    const error = await atClient.whenClosed();
    if (error !== undefined) expect((error as { code?: string }).code).toBe("CONNECTION_RESET");
    expect(client.write([noise(10, 3)])).toBe(false);
  });

  it("settles the client's Unix connection when the server process dies", async () => {
    const path = join(shortTempDir(), "d.sock");
    const { child } = await startProcess(`
      const server = require("node:net").createServer((socket) => socket.pause());
      server.listen(${JSON.stringify(path)}, () => console.log("up"));`);
    const client = await connectUnix({ path });
    const atClient = recordConnection(client, { onEnd: (c) => c.end() });
    client.write([noise(1000, 4)]);
    await kill(child);
    const error = await atClient.whenClosed();
    if (error !== undefined) expect((error as { code?: string }).code).toBe("CONNECTION_RESET");
    // The dead server's file is now stale: a new listener takes the path over.
    const listener = await listenUnix({ path }, (c) => c.reset());
    await listener.close();
  });
});
