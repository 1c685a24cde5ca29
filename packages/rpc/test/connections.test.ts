import { generateTestCertificates } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect, defineContract, type RpcConnection, serve, z } from "../src/index.js";
import { tempSocketPath } from "./fixtures.js";

const whoami = defineContract({
  name: "whoami",
  version: 1,
  requests: {
    who: {
      input: z.null(),
      output: z.object({
        id: z.number(),
        transport: z.string(),
        user: z.string().optional(),
        region: z.string().optional(),
        tenant: z.string().optional(),
        cn: z.string().optional(),
      }),
    },
  },
});

const ADA_SECRET = "ada-secret-5e7f9b1d3e5a2b4d6f80";

describe("ctx.connection", () => {
  it("gives a handler the identity its verifier returned, the Hello metadata and createContext's result", async () => {
    const contexts: number[] = [];
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: whoami,
      authSecrets: [{ id: "ada-key", secret: ADA_SECRET }],
      // Runs after the proof: maps the secret the client proved to who it is.
      verifyAuth: (_token, hello) =>
        hello.authKeyId === "ada-key" ? { user: "ada", roles: ["admin"] } : false,
      createContext: async (connection) => {
        contexts.push(connection.id);
        return { tenant: `t-${connection.identity.user}` };
      },
      handlers: {
        who: (_input, ctx) => ({
          id: ctx.connection.id,
          transport: ctx.connection.transport,
          user: ctx.connection.identity.user,
          region: ctx.connection.remoteMetadata.region,
          tenant: ctx.context.tenant,
        }),
      },
    });
    onTestFinished(() => server.close());
    const client = await connect({
      url: server.url,
      contract: whoami,
      authSecrets: ADA_SECRET,
      metadata: { region: "eu-west" },
    });
    onTestFinished(() => client.close());
    const first = await client.call.who(null);
    expect(first).toEqual({
      id: 1,
      transport: "tcp",
      user: "ada",
      region: "eu-west",
      tenant: "t-ada",
    });
    await client.call.who(null);
    expect(contexts).toEqual([1]); // once per connection, not per call
    await expect(
      connect({ url: server.url, contract: whoami, authSecrets: "a-wrong-secret-0123456789" }),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("fails every handler of a connection whose createContext threw, not only the first", async () => {
    let attempts = 0;
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: whoami,
      logger: { warn: () => {}, error: () => {} },
      createContext: (): { tenant: string } => {
        attempts++;
        throw new Error("tenant lookup failed");
      },
      handlers: {
        // A handler that would fall back to a default were its context missing.
        who: (_input, ctx) => ({ id: 0, transport: "", tenant: ctx.context?.tenant ?? "default" }),
      },
    });
    onTestFinished(() => server.close());
    const client = await connect({ url: server.url, contract: whoami });
    onTestFinished(() => client.close());
    for (let i = 0; i < 3; i++) {
      await expect(client.call.who(null)).rejects.toMatchObject({ code: "INTERNAL" });
    }
    expect(attempts).toBe(1);
  });

  it("without a verifier, gives a handler the id of the secret the client proved as its identity", async () => {
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: whoami,
      authSecrets: [
        { id: "old-key", secret: "old-secret-0123456789abcdef" },
        { id: "ada-key", secret: ADA_SECRET },
      ],
      handlers: {
        who: (_input, ctx) => ({
          id: ctx.connection.id,
          transport: ctx.connection.transport,
          user: String(ctx.connection.identity),
          region: ctx.connection.authKeyId ?? "none",
          tenant: "",
        }),
      },
    });
    onTestFinished(() => server.close());
    const client = await connect({ url: server.url, contract: whoami, authSecrets: ADA_SECRET });
    onTestFinished(() => client.close());
    await expect(client.call.who(null)).resolves.toMatchObject({
      user: "ada-key",
      region: "ada-key",
    });
  });

  it("is the object of server.connections and of the connect and disconnect events; closed resolves", async () => {
    const path = tempSocketPath();
    const seen: RpcConnection[] = [];
    const server = await serve({
      url: `unix://${path}`,
      contract: whoami,
      handlers: {
        who: (_input, ctx) => {
          seen.push(ctx.connection as never);
          return { id: ctx.connection.id, transport: ctx.connection.transport };
        },
      },
    });
    onTestFinished(() => server.close());
    const connected = new Promise<RpcConnection>((resolve) =>
      server.once("connect", resolve as never),
    );
    const client = await connect({ url: `unix://${path}`, contract: whoami });
    const fromEvent = await connected;
    await expect(client.call.who(null)).resolves.toMatchObject({ transport: "unix" });
    expect(server.connections).toEqual([fromEvent]);
    expect(seen[0]).toBe(fromEvent);
    expect(fromEvent.url).toBe(`unix://${path}`);
    expect(fromEvent.remoteServes).toBeUndefined();
    const disconnected = new Promise<RpcConnection>((resolve) =>
      server.once("disconnect", resolve as never),
    );
    await client.close();
    await expect(fromEvent.closed).resolves.toMatchObject({
      initiator: "remote",
      reason: "graceful",
    });
    expect(await disconnected).toBe(fromEvent);
    expect(server.connections).toEqual([]);
  });

  it("names the subject of a mutual-TLS client certificate", async () => {
    const certs = generateTestCertificates();
    const server = await serve({
      url: "tls://127.0.0.1:0",
      contract: whoami,
      tls: { ...certs.server, ca: certs.ca.cert, mutual: true },
      handlers: {
        who: (_input, ctx) => ({
          id: ctx.connection.id,
          transport: ctx.connection.transport,
          cn: ctx.connection.tlsPeerSubject?.CN,
        }),
      },
    });
    onTestFinished(() => server.close());
    const client = await connect({
      url: server.url,
      contract: whoami,
      tls: { ca: certs.ca.cert, ...certs.client },
    });
    onTestFinished(() => client.close());
    await expect(client.call.who(null)).resolves.toMatchObject({ transport: "tls", cn: "client" });
  });
});
