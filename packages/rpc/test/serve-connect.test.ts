import { existsSync } from "node:fs";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, serve } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

async function startServer(url: string, extra: Record<string, unknown> = {}) {
  const server = await serve({ url, contract: testContract, handlers: testHandlers(), ...extra });
  onTestFinished(() => server.close());
  return server;
}

describe.each([
  ["tcp", () => "tcp://127.0.0.1:0"],
  ["unix", () => `unix://${tempSocketPath()}`],
])("serve() and connect() over %s", (_name, makeUrl) => {
  it("answers a typed call and reports the bound url", async () => {
    const server = await startServer(makeUrl());
    expect(server.url).not.toMatch(/:0$/);
    const client = await connect({ url: server.url, contract: testContract });
    onTestFinished(() => client.close());
    await expect(client.call.echo("hello")).resolves.toBe("hello");
    await expect(client.request("echo", "again")).resolves.toBe("again");
  });

  it("gives client.call the contract's methods as properties; it is not a thenable", async () => {
    const server = await startServer(makeUrl());
    const client = await connect({ url: server.url, contract: testContract });
    onTestFinished(() => client.close());
    expect(Object.keys(client.call).sort()).toEqual([...testContract.requestNames].sort());
    // Awaiting it (returning it from an async function, say) must not call a method "then".
    await expect(Promise.resolve(client.call)).resolves.toBe(client.call);
    const unknown = (client.call as unknown as Record<string, () => Promise<unknown>>).nope!;
    await expect(unknown()).rejects.toMatchObject({ code: "UNIMPLEMENTED" });
  });

  it("lists live connections and emits connect and disconnect", async () => {
    const server = await startServer(makeUrl());
    const events: string[] = [];
    server.on("connect", (c) => events.push(`connect:${c.id}`));
    const disconnected = new Promise((resolve) =>
      server.on("disconnect", (c, info) => resolve([c.id, info.initiator, info.reason])),
    );
    const client = await connect({ url: server.url, contract: testContract });
    await client.call.echo("x");
    expect(server.connections).toHaveLength(1);
    expect(events).toEqual(["connect:1"]);
    await client.close();
    await expect(disconnected).resolves.toEqual([1, "remote", "graceful"]);
    expect(server.connections).toHaveLength(0);
  });
});

describe("server limits and shutdown", () => {
  it("refuses a connection over maxConnections with an explicit OVERLOADED frame", async () => {
    const server = await startServer("tcp://127.0.0.1:0", { maxConnections: 1 });
    const first = await connect({ url: server.url, contract: testContract });
    onTestFinished(() => first.close());
    const refused = new Promise<string>((resolve) =>
      server.on("refuse", (address) => resolve(address)),
    );
    await expect(connect({ url: server.url, contract: testContract })).rejects.toMatchObject({
      code: "OVERLOADED",
    });
    await expect(refused).resolves.toMatch(/127\.0\.0\.1/);
    await expect(first.call.echo("still fine")).resolves.toBe("still fine");
  });

  it("finishes in-flight calls on close() and then stops listening", async () => {
    const path = tempSocketPath();
    const counter = { calls: 0 };
    const server = await serve({
      url: `unix://${path}`,
      contract: testContract,
      handlers: testHandlers(counter),
    });
    const client = await connect({ url: server.url, contract: testContract });
    const settled = Promise.allSettled(
      Array.from({ length: 20 }, () => client.call.slow({ ms: 100 })),
    );
    // Close only once every handler runs: calls still on the wire would (rightly) cross the Bye.
    while (counter.calls < 20) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.close();
    const results = await settled;
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : r.reason))).toEqual(
      Array(20).fill(100),
    );
    expect(existsSync(path)).toBe(false);
    await expect(client.closed).resolves.toMatchObject({ initiator: "remote", reason: "graceful" });
    await expect(connect({ url: `unix://${path}`, contract: testContract })).rejects.toMatchObject({
      code: expect.stringMatching(/^CONNECT_/),
    });
  });

  it("returns the same promise from a second close()", async () => {
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: testContract,
      handlers: testHandlers(),
    });
    expect(server.close()).toBe(server.close());
    await server.close();
  });

  it("rejects a bad url with INVALID_ADDRESS before opening anything", async () => {
    await expect(
      serve({ url: "http://127.0.0.1:80", contract: testContract, handlers: testHandlers() }),
    ).rejects.toMatchObject({
      code: "INVALID_ADDRESS",
    });
    await expect(connect({ url: "tcp://nohost", contract: testContract })).rejects.toMatchObject({
      code: "INVALID_ADDRESS",
    });
  });
});
