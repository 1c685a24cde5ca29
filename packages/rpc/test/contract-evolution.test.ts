/**
 * Contracts that evolve, over real TCP sockets with two contract versions in one process: v1 and v2
 * of a key-value contract (v2 adds a method, an optional input field and an optional output field),
 * and a v3 that breaks v1 (a required input field). docs/contract-changes.md has the rules.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, defineContract, serve, z } from "../src/index.js";

const key = z.object({ key: z.string() });
const kvV1 = defineContract({
  name: "kv",
  version: 1,
  requests: {
    get: { input: key, output: z.object({ value: z.string() }), idempotent: true },
    put: { input: z.object({ key: z.string(), value: z.string() }), output: z.null() },
  },
});
const kvV2 = defineContract({
  name: "kv",
  version: 2,
  requests: {
    get: {
      input: z.object({ key: z.string(), fresh: z.boolean().optional() }),
      output: z.object({ value: z.string(), etag: z.string().optional() }),
      idempotent: true,
    },
    put: kvV1.definition.requests.put,
    remove: { input: key, output: z.boolean() },
  },
});
const kvV3 = defineContract({
  name: "kv",
  version: 3,
  requests: {
    ...kvV1.definition.requests,
    put: {
      input: z.object({ key: z.string(), value: z.string(), ttl: z.number() }),
      output: z.null(),
    },
  },
});

function store() {
  const data = new Map<string, string>();
  const seen: unknown[] = [];
  const v1 = {
    get: (input: { key: string }) => {
      seen.push(input);
      return { value: data.get(input.key) ?? "", etag: `e${data.size}` };
    },
    put: ({ key, value }: { key: string; value: string }) => {
      data.set(key, value);
      return null;
    },
  };
  return { seen, v1, v2: { ...v1, remove: ({ key }: { key: string }) => data.delete(key) } };
}

async function v1Server() {
  const handlers = store();
  const server = await serve({ url: "tcp://127.0.0.1:0", contract: kvV1, handlers: handlers.v1 });
  onTestFinished(() => server.close());
  return { server, handlers };
}

async function v2Server() {
  const handlers = store();
  const server = await serve({ url: "tcp://127.0.0.1:0", contract: kvV2, handlers: handlers.v2 });
  onTestFinished(() => server.close());
  return { server, handlers };
}

describe("contract evolution over TCP", () => {
  it("serves v1 clients from a v2 server that added a method, an input field and an output field", async () => {
    const { server } = await v2Server();
    const client = await connect({ url: server.url, contract: kvV1 });
    onTestFinished(() => client.close());
    await expect(client.call.put({ key: "a", value: "1" })).resolves.toBeNull();
    // The v2 server's etag is dropped by the v1 client's schema.
    await expect(client.call.get({ key: "a" })).resolves.toEqual({ value: "1" });
  });

  it("serves v2 clients' old methods from a v1 server; the new one fails locally with UNIMPLEMENTED, unwritten", async () => {
    const { server, handlers } = await v1Server();
    const client = await connect({ url: server.url, contract: kvV2 });
    onTestFinished(() => client.close());
    await expect(client.call.put({ key: "a", value: "1" })).resolves.toBeNull();
    // The v1 server drops the optional field it does not know.
    await expect(client.call.get({ key: "a", fresh: true })).resolves.toMatchObject({ value: "1" });
    expect(handlers.seen).toEqual([{ key: "a" }]);
    const sent = client.peer!.stats.requestsSent;
    const error = await client.call.remove({ key: "a" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNIMPLEMENTED" });
    expect((error as Error).message).toContain("method remove is not served by the remote");
    expect((error as Error).message).toContain("this side calls kv v2, the remote serves kv v1");
    expect(client.peer!.stats.requestsSent).toBe(sent);
    expect(client.connected).toBe(true);
  });

  it("refuses a breaking change at Hello, naming method, path and both types", async () => {
    const server = await serve({ url: "tcp://127.0.0.1:0", contract: kvV3, handlers: store().v1 });
    onTestFinished(() => server.close());
    const error = await connect({ url: server.url, contract: kvV1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONTRACT_MISMATCH", retryable: false });
    expect((error as Error).message).toContain(
      "request put input.ttl: the calling side has absent, the serving side number (required field added)",
    );
    expect((error as Error).message).toContain("calls kv v1, the serving side serves v3");
  });

  it("keeps the whole-contract rule under contractCheck strict", async () => {
    const { server } = await v2Server();
    const error = await connect({ url: server.url, contract: kvV1, contractCheck: "strict" }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "CONTRACT_MISMATCH" });
    expect((error as Error).message).toContain("serving side serves kv v2");
  });
});
