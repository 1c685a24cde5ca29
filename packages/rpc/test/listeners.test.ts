import { describe, expect, it } from "vitest";
import { connect, serve } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

describe("one server, several listeners", () => {
  it("serves a Unix path and a TCP port at once, with one connection set and one close()", async () => {
    const path = tempSocketPath();
    const server = await serve({
      url: [`unix://${path}`, "tcp://127.0.0.1:0"],
      contract: testContract,
      handlers: testHandlers(),
    });
    expect(server.urls).toHaveLength(2);
    expect(server.urls[0]).toBe(`unix://${path}`);
    expect(server.urls[1]).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const overUnix = await connect({ url: server.urls[0]!, contract: testContract });
    const overTcp = await connect({ url: server.urls[1]!, contract: testContract });
    await expect(overUnix.call.echo("u")).resolves.toBe("u");
    await expect(overTcp.call.echo("t")).resolves.toBe("t");
    expect(server.connections.map((c) => c.transport).sort()).toEqual(["tcp", "unix"]);
    await server.close();
    await expect(overUnix.closed).resolves.toMatchObject({
      initiator: "remote",
      reason: "graceful",
    });
    await expect(overTcp.closed).resolves.toMatchObject({
      initiator: "remote",
      reason: "graceful",
    });
    await expect(connect({ url: server.urls[1]!, contract: testContract })).rejects.toMatchObject({
      code: "CONNECT_REFUSED",
    });
  });

  it("adds a listener with listen() into the same connection set", async () => {
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
    });
    const path = tempSocketPath();
    await server.listen(`unix://${path}`);
    const client = await connect({ url: `unix://${path}`, contract: testContract });
    await expect(client.call.echo("x")).resolves.toBe("x");
    expect(server.connections).toHaveLength(1);
    await server.close();
    await expect(server.listen("tcp://127.0.0.1:0")).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("releases the addresses already bound when a later one fails", async () => {
    const taken = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
    });
    const path = tempSocketPath();
    await expect(
      serve({
        url: [`unix://${path}`, taken.url],
        contract: testContract,
        handlers: testHandlers(),
      }),
    ).rejects.toMatchObject({ code: "ADDRESS_IN_USE" });
    // The Unix path was released: a new server can bind it.
    const again = await serve({
      url: `unix://${path}`,
      contract: testContract,
      handlers: testHandlers(),
    });
    await again.close();
    await taken.close();
  });
});
