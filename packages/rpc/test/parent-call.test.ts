import { describe, expect, it, onTestFinished } from "vitest";
import { type Client, connect, defineContract, serve, z } from "../src/index.js";
import { testContract, testHandlers } from "./fixtures.js";

const gatewayContract = defineContract({
  name: "gateway",
  version: 1,
  requests: { relay: { input: z.object({ ms: z.number() }), output: z.number() } },
});

/** A gateway whose handler calls a backend on another connection, passing its context as parent. */
async function startChain(backendCounter: { calls: number; aborted?: number }) {
  const backend = await serve({
    url: "tcp://127.0.0.1:0",
    contract: testContract,
    handlers: testHandlers(backendCounter),
  });
  onTestFinished(() => backend.close());
  const toBackend: Client<typeof testContract> = await connect({
    url: backend.url,
    contract: testContract,
  });
  onTestFinished(() => toBackend.close());
  const gateway = await serve({
    url: "tcp://127.0.0.1:0",
    contract: gatewayContract,
    handlers: { relay: ({ ms }, ctx) => toBackend.call.slow({ ms }, { parent: ctx }) },
  });
  onTestFinished(() => gateway.close());
  const client = await connect({ url: gateway.url, contract: gatewayContract });
  onTestFinished(() => client.close());
  return client;
}

/** A client of a test backend, for calls given a parent by hand. */
async function directClient(): Promise<Client<typeof testContract>> {
  const backend = await serve({
    url: "tcp://127.0.0.1:0",
    contract: testContract,
    handlers: testHandlers(),
  });
  onTestFinished(() => backend.close());
  const client = await connect({ url: backend.url, contract: testContract });
  onTestFinished(() => client.close());
  return client;
}

describe("calls made with a parent handler context", () => {
  it("stop at the parent's deadline: the backend's handler is cancelled too", async () => {
    const counter = { calls: 0, aborted: 0 };
    const client = await startChain(counter);
    await expect(client.call.relay({ ms: 10_000 }, { timeoutMs: 200 })).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
    });
    while (counter.aborted === 0) await new Promise((r) => setTimeout(r, 10));
    expect(counter).toEqual({ calls: 1, aborted: 1 });
  });

  it("are cancelled when the caller at the top aborts", async () => {
    const counter = { calls: 0, aborted: 0 };
    const client = await startChain(counter);
    const controller = new AbortController();
    const call = client.call.relay({ ms: 10_000 }, { signal: controller.signal });
    const outcome = expect(call).rejects.toMatchObject({ code: "CANCELLED" });
    while (counter.calls === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await outcome;
    while (counter.aborted === 0) await new Promise((r) => setTimeout(r, 10));
    expect(counter.aborted).toBe(1);
  });

  it("are refused unsent, not executed, when the parent's deadline has already passed", async () => {
    const client = await directClient();
    const parent = { signal: new AbortController().signal, remainingMs: () => 0 };
    await expect(client.call.echo("x", { parent })).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
      notExecuted: true,
    });
  });

  it("are refused CANCELLED when the parent was cancelled with time left, and INVALID_OPTION for no context", async () => {
    const client = await directClient();
    const cancelled = { signal: AbortSignal.abort(), remainingMs: () => 20_000 };
    await expect(client.call.echo("x", { parent: cancelled })).rejects.toMatchObject({
      code: "CANCELLED",
      notExecuted: true,
    });
    // Rejected, not thrown: a bad parent fails the call's promise like any bad option.
    const call = client.call.echo("x", { parent: {} as never });
    await expect(call).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });

  it("keep the contract's own deadline when neither the parent nor the stream method has one", async () => {
    const feed = defineContract({
      name: "feed",
      version: 1,
      requests: {
        watch: { input: z.null(), yields: z.number(), timeoutMs: Number.POSITIVE_INFINITY },
      },
    });
    const backend = await serve({
      url: "tcp://127.0.0.1:0",
      contract: feed,
      handlers: {
        async *watch() {
          yield 1;
        },
      },
    });
    onTestFinished(() => backend.close());
    const client = await connect({ url: backend.url, contract: feed });
    onTestFinished(() => client.close());
    const parent = { signal: new AbortController().signal, remainingMs: () => Infinity };
    const items: number[] = [];
    for await (const item of client.stream.watch(null, { parent })) items.push(item);
    expect(items).toEqual([1]);
  });
});
