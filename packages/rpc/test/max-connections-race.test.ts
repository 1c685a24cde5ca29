import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

describe("maxConnections reached while a client is in its handshake", () => {
  it("refuses the later client with HelloAck refuse OVERLOADED (retryable), never after accepting it", async () => {
    // Both clients are held in verifyAuth until both have arrived, then released together: the
    // first to be accepted takes the only place, the other is refused in its handshake.
    let arrived = 0;
    let release!: () => void;
    const bothHere = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
      maxConnections: 1,
      verifyAuth: async () => {
        if (++arrived === 2) release();
        await bothHere;
        return true;
      },
    });
    onTestFinished(() => server.destroy());
    const refusals: { code: string }[] = [];
    server.on("refuse", (_address, error) => refusals.push(error as never));
    const results = await Promise.allSettled([
      connect({ url: server.url, contract: testContract }),
      connect({ url: server.url, contract: testContract }),
    ]);
    const clients = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    for (const client of clients) onTestFinished(() => client.close());
    expect(clients).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "OVERLOADED", retryable: true });
    expect(String(errors[0].message)).toContain("maxConnections");
    expect(refusals.map((r) => r.code)).toEqual(["OVERLOADED"]);
    await expect(clients[0]!.call.echo("the one admitted")).resolves.toBe("the one admitted");
    expect(server.connections).toHaveLength(1);
  });
});
