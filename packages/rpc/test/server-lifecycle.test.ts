import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

describe("server lifecycle", () => {
  it.each([
    [{ maxConnections: 0 }, "maxConnections"],
    [{ requestTimeoutMs: -1 }, "requestTimeoutMs"],
    // Each value fits on its own; together they make a Hello over 64 KiB.
    [{ metadata: { a: "x".repeat(40_000), b: "y".repeat(40_000) } }, "larger than 65536 bytes"],
  ])(
    "rejects serve() with %o (INVALID_OPTION) instead of failing the first connection",
    async (options, named) => {
      await expect(
        serve({
          url: "tcp://127.0.0.1:0",
          contract: testContract,
          handlers: testHandlers(),
          ...options,
        }),
      ).rejects.toMatchObject({
        code: "INVALID_OPTION",
        message: expect.stringContaining(named),
      });
    },
  );

  it("close() during an asynchronous verifyAuth ends that connection at once, not at closeTimeoutMs", async () => {
    const secret = "lifecycle-secret-0123456789abcdef";
    let verifying = false;
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
      authSecrets: secret,
      closeTimeoutMs: 5_000,
      // A lookup that answers after close() has begun: the handshake waits on it, reads paused.
      verifyAuth: () => {
        verifying = true;
        return new Promise((resolve) => setTimeout(() => resolve(true), 300));
      },
    });
    const attempt = connect({ url: server.url, contract: testContract, authSecrets: secret });
    const refused = attempt.then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
    while (!verifying) await new Promise((resolve) => setTimeout(resolve, 1));
    const started = performance.now();
    await server.close();
    // Before the fix the paused connection never read the client's FIN and waited for the close
    // timer (5 s here).
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(await refused).toBe("UNAVAILABLE");
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
