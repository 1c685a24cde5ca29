import { describe, expect, it } from "vitest";
import { createPeer } from "../src/index.js";
import { rejection, until } from "./support/async.js";
import { calc } from "./support/contracts.js";
import { NetSocketConnection, socketPair } from "./support/net-socket-connection.js";

const add = ({ a, b }: { a: number; b: number }) => ({ sum: a + b });

function socketResources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => /TCP|Pipe/.test(r));
}

describe.each(["tcp", "unix"] as const)("over a real %s socket", (kind) => {
  it("calls, carries a payload spanning many reads, and closes with a FIN both ways", async () => {
    const before = socketResources().length;
    const pair = await socketPair(kind);
    const server = createPeer(new NetSocketConnection(pair.server), {
      side: "server",
      serves: calc,
      handlers: { add },
    });
    const echo = createPeer(new NetSocketConnection(pair.client), {
      handlers: { echo: (v: unknown) => v },
    });
    await server.ready;
    expect(await echo.ready).toBeDefined();
    const big = "x".repeat(1_000_000);
    await expect(server.request("echo", big)).resolves.toBe(big);
    await echo.close();
    expect(await echo.closed).toMatchObject({ initiator: "local", reason: "graceful" });
    expect(await server.closed).toMatchObject({ initiator: "remote", reason: "graceful" });
    await pair.cleanup();
    // A leaked socket never goes away; a closed one is released within a few loop turns.
    await until(() => socketResources().length <= before, 2_000);
  });

  it("answers typed calls both ways and reports a destroyed remote as CONNECTION_LOST", async () => {
    const pair = await socketPair(kind);
    const server = createPeer(new NetSocketConnection(pair.server), {
      side: "server",
      serves: calc,
      handlers: { add },
    });
    const client = createPeer(new NetSocketConnection(pair.client), {
      calls: calc,
      handlers: { stall: () => new Promise(() => {}) },
    });
    await expect(client.call.add({ a: 20, b: 22 })).resolves.toEqual({ sum: 42 });
    const stalled = rejection(server.request("stall", null));
    await until(() => client.stats.requestsReceived === 1);
    client.destroy();
    expect((await stalled).code).toBe("CONNECTION_LOST");
    const info = await server.closed;
    expect(info).toMatchObject({ initiator: "remote" });
    expect(["error", "abort"]).toContain(info.reason);
    await pair.cleanup();
  });
});
