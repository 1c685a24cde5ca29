import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import {
  createPeer,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_CONCURRENT_HANDLERS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_PENDING_CALLS,
  DEFAULT_MAX_QUEUED_REQUESTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SLOW_CONSUMER_TIMEOUT_MS,
  type PeerOptions,
} from "../src/index.js";
import { checkPeerOptions } from "../src/internal.js";
import { resolvePeerOptions } from "../src/peer-options.js";
import { calc } from "./support/contracts.js";

function invalid(options: unknown): { code?: string; message: string } {
  try {
    resolvePeerOptions(options as PeerOptions);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected INVALID_OPTION");
}

describe("peer options", () => {
  it("fills in the documented defaults", () => {
    const o = resolvePeerOptions({});
    expect(o).toMatchObject({
      side: "client",
      handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
      closeTimeoutMs: DEFAULT_CLOSE_TIMEOUT_MS,
      maxConcurrentHandlers: DEFAULT_MAX_CONCURRENT_HANDLERS,
      maxQueuedRequests: DEFAULT_MAX_QUEUED_REQUESTS,
      maxPendingCalls: DEFAULT_MAX_PENDING_CALLS,
      maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
      slowConsumerTimeoutMs: DEFAULT_SLOW_CONSUMER_TIMEOUT_MS,
      heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
      heartbeatTimeoutMs: DEFAULT_HEARTBEAT_TIMEOUT_MS,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      captureCallSites: false,
    });
    expect([
      DEFAULT_HANDSHAKE_TIMEOUT_MS,
      DEFAULT_REQUEST_TIMEOUT_MS,
      DEFAULT_CLOSE_TIMEOUT_MS,
    ]).toEqual([5_000, 30_000, 10_000]);
    expect(o.codec.name).toBe("msgpack");
    expect(Object.isFrozen(o)).toBe(true);
  });

  it("gives each peer its own codec by default", () => {
    expect(resolvePeerOptions({}).codec).not.toBe(resolvePeerOptions({}).codec);
  });

  it.each([
    ["requestTimeoutMs", 0, "requestTimeoutMs must be an integer from 1"],
    ["requestTimeoutMs", 2 ** 31, "requestTimeoutMs"],
    ["closeTimeoutMs", -1, "closeTimeoutMs"],
    ["handshakeTimeoutMs", 1.5, "handshakeTimeoutMs"],
    ["heartbeatIntervalMs", -5, "heartbeatIntervalMs must be an integer from 0"],
    ["maxConcurrentHandlers", 0, "maxConcurrentHandlers"],
    ["maxQueuedRequests", -1, "maxQueuedRequests"],
    ["maxPendingCalls", 2 ** 21, "maxPendingCalls"],
    ["maxFrameBytes", 1_000, "maxFrameBytes must be an integer from 65536"],
    ["maxBufferedBytes", "1MB", "maxBufferedBytes"],
    ["captureCallSites", "yes", "captureCallSites must be a boolean"],
    ["side", "peer", 'side must be "client" or "server"'],
    ["verifyAuth", "token", "verifyAuth must be a function"],
    ["codec", { name: "x" }, "codec must be a Codec"],
    ["serves", { name: "calc" }, "serves must be a contract made by defineContract"],
    ["metadata", { k: 1 }, "metadata values must be strings"],
    ["logger", {}, "logger must have a warn"],
    ["authToken", 42, "authToken must be a string"],
  ])("rejects %s = %o with INVALID_OPTION naming the rule", (name, value, message) => {
    const error = invalid({ [name]: value });
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.message).toContain(message);
  });

  it("rejects a handler that is not in the served contract, naming it", () => {
    const error = invalid({ serves: calc, handlers: { add: () => 0, sub: () => 0 } });
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.message).toContain("handlers.sub is not a request of contract calc");
    expect(invalid({ serves: calc, signalHandlers: { nope: () => {} } }).message).toContain(
      "signalHandlers.nope",
    );
    expect(invalid({ handlers: { add: 1 } }).message).toContain("handlers.add must be a function");
  });

  it("refuses bad options in createPeer before touching the connection", () => {
    const [connection] = createMemoryPair();
    expect(() => createPeer(connection, { maxPendingCalls: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
    // The connection was not attached: it can still be used.
    expect(() =>
      connection.attach({ onData() {}, onEnd() {}, onDrain() {}, onClose() {} }),
    ).not.toThrow();
  });

  it("refuses metadata that makes the Hello larger than 64 KiB, with or without a connection", () => {
    // Each value is within its own limit; together they do not fit in one Hello.
    const metadata = { a: "x".repeat(40_000), b: "y".repeat(40_000) };
    const tooLarge = expect.objectContaining({
      code: "INVALID_OPTION",
      message: expect.stringContaining("larger than 65536 bytes"),
    });
    expect(() => checkPeerOptions({ metadata })).toThrow(tooLarge);
    const [connection] = createMemoryPair();
    expect(() => createPeer(connection, { metadata })).toThrow(tooLarge);
    expect(() => checkPeerOptions({ metadata: { a: "x".repeat(40_000) } })).not.toThrow();
  });
});
