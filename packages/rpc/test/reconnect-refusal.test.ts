import { describe, expect, it, onTestFinished } from "vitest";
import { connect, defineContract, serve, z } from "../src/index.js";
import { tempSocketPath } from "./fixtures.js";

/** Two versions of one contract whose `get` input changed type: no retry can bridge them. */
const v1 = defineContract({
  name: "kv",
  version: 1,
  requests: { get: { input: z.string(), output: z.string() } },
});
const v2 = defineContract({
  name: "kv",
  version: 1,
  requests: { get: { input: z.number(), output: z.string() } },
});

const fastReconnect = { initialDelayMs: 10, maxDelayMs: 50, jitter: 0 };

async function serveV1(url: string) {
  const server = await serve({ url, contract: v1, handlers: { get: (key) => `v1:${key}` } });
  onTestFinished(() => server.close());
  return server;
}

async function serveV2(url: string) {
  const server = await serve({ url, contract: v2, handlers: { get: (n) => `v2:${n}` } });
  onTestFinished(() => server.close());
  return server;
}

describe("reconnect and refusals", () => {
  it("stops at once when the new server refuses the contract: waiting and later calls fail with RECONNECT_REFUSED, cause CONTRACT_MISMATCH", async () => {
    const url = `unix://${tempSocketPath()}`;
    const old = await serveV1(url);
    const client = await connect({ url, contract: v1, reconnect: fastReconnect });
    onTestFinished(() => client.close());
    const attempts: number[] = [];
    client.on("reconnecting", (attempt) => attempts.push(attempt));
    const refused = new Promise<Error>((resolve) => client.once("refused", resolve));
    const disconnected = new Promise((resolve) => client.once("disconnect", resolve));
    await old.close();
    await disconnected;
    const waiting = client.call.get("a", { timeoutMs: 10_000 }).catch((e: unknown) => e);
    await serveV2(url);
    const error = await refused;
    expect(error).toMatchObject({
      code: "RECONNECT_REFUSED",
      retryable: false,
      cause: { code: "CONTRACT_MISMATCH" },
    });
    expect(error.message).toContain("deploy a contract");
    expect(await waiting).toMatchObject({
      code: "RECONNECT_REFUSED",
      cause: { code: "CONTRACT_MISMATCH" },
    });
    expect(client.state).toBe("failed");
    await expect(client.call.get("b")).rejects.toMatchObject({ code: "RECONNECT_REFUSED" });
    await expect(client.closed).resolves.toMatchObject({ error: { code: "RECONNECT_REFUSED" } });
    // Failed attempts before the v2 server came up (nothing listening) are retried; the refusal
    // itself ends the loop, so no "reconnecting" follows it.
    const before = attempts.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts.length).toBe(before);
  });

  it("keeps backing off through a retryable refusal (OVERLOADED) and reconnects once there is room", async () => {
    const url = `unix://${tempSocketPath()}`;
    const first = await serveV1(url);
    const client = await connect({ url, contract: v1, reconnect: fastReconnect });
    onTestFinished(() => client.close());
    const disconnected = new Promise((resolve) => client.once("disconnect", resolve));
    await first.close();
    await disconnected;
    const full = await serve({
      url,
      contract: v1,
      handlers: { get: (key) => `full:${key}` },
      maxConnections: 1,
    });
    onTestFinished(() => full.close());
    const holder = await connect({ url, contract: v1 });
    const codes: string[] = [];
    const overloaded = new Promise<void>((resolve) =>
      client.on("reconnecting", (_attempt, _delay, error) => {
        codes.push((error as unknown as { code: string }).code);
        if (codes.length >= 2) resolve();
      }),
    );
    await overloaded;
    expect(codes.slice(0, 2)).toEqual(["OVERLOADED", "OVERLOADED"]);
    expect(client.state).toBe("reconnecting");
    const reconnected = new Promise((resolve) => client.once("reconnect", resolve));
    await holder.close();
    await reconnected;
    await expect(client.call.get("k")).resolves.toBe("full:k");
  });
});

describe("waitForReady", () => {
  it("connects to a server that starts 2 s after the client", async () => {
    const url = `unix://${tempSocketPath()}`;
    const started = performance.now();
    const connecting = connect({ url, contract: v1, waitForReady: { timeoutMs: 20_000 } });
    await new Promise((r) => setTimeout(r, 2_000));
    await serveV1(url);
    const client = await connecting;
    onTestFinished(() => client.close());
    expect(performance.now() - started).toBeGreaterThanOrEqual(2_000);
    await expect(client.call.get("x")).resolves.toBe("v1:x");
  });

  it("fails with the last attempt's error when no server comes within timeoutMs", async () => {
    const url = `unix://${tempSocketPath()}`;
    const attempts: Promise<unknown> = connect({
      url,
      contract: v1,
      waitForReady: { timeoutMs: 300 },
      reconnect: fastReconnect,
    });
    await expect(attempts).rejects.toMatchObject({
      code: expect.stringMatching(/^(CONNECT_REFUSED|ADDRESS_NOT_FOUND|SOCKET_NOT_FOUND)$/),
    });
  });

  it("fails at once on a refusal no retry can fix", async () => {
    const url = `unix://${tempSocketPath()}`;
    await serveV2(url);
    const started = performance.now();
    await expect(
      connect({ url, contract: v1, waitForReady: { timeoutMs: 20_000 } }),
    ).rejects.toMatchObject({ code: "CONTRACT_MISMATCH" });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("rejects a bad waitForReady with INVALID_OPTION naming it", async () => {
    await expect(
      connect({ url: "tcp://127.0.0.1:1", contract: v1, waitForReady: { timeoutMs: -1 } }),
    ).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("waitForReady"),
    });
  });
});
