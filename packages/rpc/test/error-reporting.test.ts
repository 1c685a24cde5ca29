import { describe, expect, it, onTestFinished } from "vitest";
import { connect, defineContract, type ErrorInfo, ServiceError, serve, z } from "../src/index.js";

const db = defineContract({
  name: "db",
  version: 1,
  requests: {
    query: { input: z.string(), output: z.string() },
    find: { input: z.string(), output: z.string() },
  },
  signals: { audit: z.object({ who: z.string() }) },
});

const SECRET = "db password=hunter2 rejected at 10.0.0.5";

async function start(extra: object = {}) {
  const reports: { error: Error; info: ErrorInfo }[] = [];
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract: db,
    handlers: {
      query: async () => {
        throw new Error(SECRET);
      },
      find: (id) => {
        throw new ServiceError("NOT_FOUND", `no row ${id}`);
      },
    },
    signalHandlers: { audit: () => {} },
    onError: (error, info) => void reports.push({ error, info }),
    ...extra,
  });
  onTestFinished(() => server.close());
  const client = await connect({ url: server.url, contract: db });
  onTestFinished(() => client.close());
  return { server, client, reports };
}

describe("errors that neither leak nor vanish", () => {
  it("sends an uncoded error as INTERNAL with a reference, never its message; onError gets it whole", async () => {
    const { client, reports } = await start();
    const error = (await client.call.query("select 1").catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect(error.code).toBe("INTERNAL");
    expect(error.message).not.toContain("hunter2");
    const ref = /ref ([0-9a-f]{8})/.exec(error.message)?.[1];
    expect(ref).toBeDefined();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.error.message).toBe(SECRET);
    expect(reports[0]!.error.stack).toContain("error-reporting.test.ts");
    expect(reports[0]!.info).toMatchObject({ method: "query", ref, connection: { id: 1 } });
  });

  it("passes a ServiceError's code and message through, without reporting it", async () => {
    const { client, reports } = await start();
    await expect(client.call.find("7")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "no row 7",
    });
    expect(reports).toEqual([]);
  });

  it("sends the internal message with exposeInternalErrors (development)", async () => {
    const { client } = await start({ exposeInternalErrors: true });
    await expect(client.call.query("x")).rejects.toMatchObject({
      code: "INTERNAL",
      message: expect.stringContaining("hunter2"),
    });
  });

  it("reports a signal dropped for a bad payload to onError on the receiver", async () => {
    const { client, reports } = await start();
    await client.signal("audit", { who: 42 } as never);
    await expect.poll(() => reports.length).toBe(1);
    expect(reports[0]!.error).toMatchObject({ code: "SIGNAL_DROPPED" });
    expect(reports[0]!.info).toMatchObject({ signal: "audit", connection: { id: 1 } });
  });

  it("logs to a console- and pino-shaped logger when no onError is given", async () => {
    const lines: { details: { err?: Error; ref?: string }; message: string }[] = [];
    const logger = {
      error: (details: object, message: string) => void lines.push({ details, message }),
      warn: () => {},
    };
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: db,
      handlers: {
        query: () => {
          throw new Error(SECRET);
        },
        find: () => "x",
      },
      logger,
    });
    onTestFinished(() => server.close());
    const client = await connect({ url: server.url, contract: db });
    onTestFinished(() => client.close());
    await expect(client.call.query("x")).rejects.toMatchObject({ code: "INTERNAL" });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.details.err?.message).toBe(SECRET);
    expect(lines[0]!.message).toContain("query");
  });

  it("hides a client's uncoded callback error from the server and gives it whole to the client's onError", async () => {
    const callback = defineContract({
      name: "cb",
      version: 1,
      requests: { ask: { input: z.null(), output: z.string() } },
    });
    const server = await serve({
      url: "tcp://127.0.0.1:0",
      contract: db,
      calls: callback,
      handlers: {
        query: async (_sql, ctx) => {
          const error = await ctx.peer.call
            .ask(null)
            .catch((e: { code: string; message: string }) => e);
          return typeof error === "string" ? error : `${error.code}: ${error.message}`;
        },
        find: () => "",
      },
    });
    onTestFinished(() => server.close());
    const reports: { error: Error; info: ErrorInfo }[] = [];
    const client = await connect({
      url: server.url,
      contract: db,
      serves: callback,
      handlers: {
        ask: () => {
          throw new Error(SECRET);
        },
      },
      onError: (error, info) => void reports.push({ error, info }),
    });
    onTestFinished(() => client.close());
    const answer = await client.call.query("x");
    expect(answer).toMatch(/^INTERNAL: internal error in ask \(ref [0-9a-f]{8}\)/);
    expect(answer).not.toContain("hunter2");
    expect(reports).toHaveLength(1);
    expect(reports[0]!.error.message).toBe(SECRET);
    expect(reports[0]!.info).toMatchObject({ method: "ask" });
  });

  it("rejects a logger without error and warn with INVALID_OPTION", async () => {
    await expect(
      serve({
        url: "tcp://127.0.0.1:0",
        contract: db,
        handlers: { query: () => "", find: () => "" },
        logger: { warn: () => {} } as never,
      }),
    ).rejects.toMatchObject({ code: "INVALID_OPTION", message: expect.stringContaining("logger") });
  });
});
