import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

describe("server lifecycle", () => {
  it("rejects serve() with an invalid engine option instead of failing the first connection", async () => {
    await expect(
      serve({
        url: "tcp://127.0.0.1:0",
        contract: testContract,
        handlers: testHandlers(),
        requestTimeoutMs: -1,
      }),
    ).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("requestTimeoutMs"),
    });
  });

  it("emits refuse with a coded error for a connection over maxConnections", async () => {
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
      maxConnections: 1,
    });
    onTestFinished(() => server.close());
    const first = await connect({ url: server.url, contract: testContract });
    onTestFinished(() => first.close());
    const refused = new Promise<unknown>((resolve) =>
      server.on("refuse", (_a, error) => resolve(error)),
    );
    await expect(connect({ url: server.url, contract: testContract })).rejects.toMatchObject({
      code: "OVERLOADED",
    });
    await expect(refused).resolves.toMatchObject({ code: "OVERLOADED", retryable: true });
  });

  it("destroy() resets every connection at once, rejecting in-flight calls, and settles closed", async () => {
    const server = await serve({
      url: `unix://${tempSocketPath()}`,
      contract: testContract,
      handlers: testHandlers(),
    });
    const client = await connect({ url: server.url, contract: testContract });
    onTestFinished(() => client.close());
    const call = client.call.slow({ ms: 10_000 }).catch((e: { code: string }) => e.code);
    await new Promise((r) => setTimeout(r, 20));
    server.destroy();
    expect(await call).toBe("CONNECTION_LOST");
    await expect(server.closed).resolves.toBeUndefined();
    expect(server.connections).toHaveLength(0);
  });
});
