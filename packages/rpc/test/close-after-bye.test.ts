import { readdirSync } from "node:fs";
import { connect as connectSocket, type Socket } from "node:net";
import { createMsgpackCodec } from "@parley/codec";
import { createBinaryWireFormat, Kind, type Message } from "@parley/peer/internal";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { serve } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

const CLOSE_TIMEOUT_MS = 1_000;
/** What "bounded by closeTimeoutMs plus a margin" allows on a loaded two-core machine. */
const MARGIN_MS = 1_500;
const fdCount = () => readdirSync("/proc/self/fd").length;

/** A hand-driven client: completes the Hello, then writes whatever the test says, raw. */
async function rawClient(url: string) {
  const wire = createBinaryWireFormat(createMsgpackCodec(), { maxFrameBytes: 4 * 1024 * 1024 });
  const target = url.startsWith("unix://")
    ? { path: url.slice("unix://".length) }
    : { host: "127.0.0.1", port: Number(new URL(url).port) };
  const socket: Socket = connectSocket({ ...target, allowHalfOpen: true });
  const received: Message[] = [];
  socket.on("data", (chunk) => wire.push(chunk, (m) => received.push(m)));
  socket.on("error", () => {});
  socket.on("end", () => socket.end());
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  onTestFinished(() => void socket.destroy());
  await new Promise((resolve) => socket.once("connect", resolve));
  const hello: Message = {
    kind: Kind.Hello,
    major: 1,
    minor: 0,
    codec: "msgpack",
    serves: undefined,
    calls: undefined,
    maxFrameBytes: 4 * 1024 * 1024,
    maxConcurrentRequests: 1000,
    heartbeatIntervalMs: 0,
    heartbeatTimeoutMs: 10_000,
    authToken: undefined,
    metadata: undefined,
  } as Message;
  socket.write(
    Buffer.concat([
      wire.encode(hello),
      wire.encode({ kind: Kind.HelloAck, accepted: true } as Message),
    ]),
  );
  await vi.waitUntil(() => received.some((m) => m.kind === Kind.HelloAck), WAIT);
  return { socket, closed, wire };
}

/** How long and how often the waits below poll. */
const WAIT = { timeout: 5_000, interval: 5 };

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe.each(["tcp", "unix"] as const)(
  "a %s peer that sends Bye, ByeAck and garbage in one write",
  (kind) => {
    it("is closed, released and forgotten within closeTimeoutMs, and server.close() is bounded", async () => {
      const fdsBefore = fdCount();
      const server = await serve({
        url: kind === "tcp" ? "tcp://127.0.0.1:0" : `unix://${tempSocketPath()}`,
        contract: testContract,
        handlers: testHandlers(),
        closeTimeoutMs: CLOSE_TIMEOUT_MS,
      });
      onTestFinished(() => server.destroy());
      const client = await rawClient(server.url);
      await vi.waitUntil(() => server.connections.length === 1, WAIT);
      const peerClosed = server.connections[0]!.peer.closed;
      const garbage = Buffer.alloc(16, 0xff); // a length header far over maxFrameBytes
      const started = performance.now();
      client.socket.write(
        Buffer.concat([
          client.wire.encode({ kind: Kind.Bye, lastAcceptedId: 0 } as Message),
          client.wire.encode({ kind: Kind.ByeAck } as Message),
          garbage,
        ]),
      );
      const bound = CLOSE_TIMEOUT_MS + MARGIN_MS;
      const info = await within(peerClosed, bound, "the server's peer never closed");
      expect(performance.now() - started).toBeLessThan(bound);
      expect(info).toMatchObject({ initiator: "local", reason: "error" });
      expect(info.error).toMatchObject({ code: "FRAME_TOO_LARGE" });
      await within(client.closed, bound, "the server never closed its socket");
      await vi.waitUntil(() => server.connections.length === 0, WAIT);
      const closing = performance.now();
      await within(server.close(), bound, "server.close() never finished");
      expect(performance.now() - closing).toBeLessThan(bound);
      // The server's socket (and the client's) gave their descriptors back.
      await vi.waitUntil(() => fdCount() <= fdsBefore, { timeout: 2_000, interval: 5 });
    }, 20_000);
  },
);
