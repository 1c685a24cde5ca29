/**
 * Stream methods (`yields`, `accepts`) are defined by the contract layer, but this version's engine
 * carries no streams: serve() and connect() refuse a contract that has them, with INVALID_OPTION
 * naming each method, instead of sending them as unary calls.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, defineContract, serve, z } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

const feed = defineContract({
  name: "feed",
  version: 1,
  requests: {
    add: { input: z.number(), output: z.number() },
    tail: { input: z.string(), yields: z.string(), output: z.number(), timeoutMs: 5_000 },
    upload: { input: z.string(), accepts: z.string(), timeoutMs: Number.POSITIVE_INFINITY },
  },
});
/** What serve() and connect() reject with, for `feed` given as the `name` contract of the peer. */
function refusedAs(name: "serves" | "calls") {
  return {
    code: "INVALID_OPTION",
    message: expect.stringContaining(
      `stream methods are not supported by this version yet; ${name} contract feed declares ` +
        "tail (yields), upload (accepts)",
    ),
  };
}

describe.each([
  ["tcp", () => "tcp://127.0.0.1:0"],
  ["unix", () => `unix://${tempSocketPath()}`],
])("a contract with stream methods over %s", (_name, makeUrl) => {
  it("is refused by serve() as the served contract or as the callback contract", async () => {
    const handlers = { add: (n: number) => n, tail: () => 0, upload: () => undefined };
    await expect(
      serve({ url: makeUrl(), contract: feed, handlers: handlers as never }),
    ).rejects.toMatchObject(refusedAs("serves"));
    await expect(
      serve({ url: makeUrl(), contract: testContract, handlers: testHandlers(), calls: feed }),
    ).rejects.toMatchObject(refusedAs("calls"));
  });

  it("is refused by connect() to a live server, as the called or the served contract", async () => {
    const server = await serve({
      url: makeUrl(),
      contract: testContract,
      handlers: testHandlers(),
    });
    onTestFinished(() => server.close());
    await expect(connect({ url: server.url, contract: feed })).rejects.toMatchObject(
      refusedAs("calls"),
    );
    const serves = { serves: feed, handlers: { add: (n: number) => n } };
    await expect(
      connect({ url: server.url, contract: testContract, ...(serves as object) }),
    ).rejects.toMatchObject(refusedAs("serves"));
    // The refused attempts left the server as it was: a plain client still gets its answer.
    const client = await connect({ url: server.url, contract: testContract });
    onTestFinished(() => client.close());
    await expect(client.call.echo("still here")).resolves.toBe("still here");
    await expect.poll(() => server.connections.length).toBe(1);
  });
});
