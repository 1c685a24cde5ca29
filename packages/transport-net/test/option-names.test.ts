import { describe, expect, it } from "vitest";
import { connectTcp, connectUnix, listenTcp, listenUnix } from "../src/index.js";

const ignore = (): void => {};

describe("transport entry points refuse unknown options", () => {
  it.each([
    [
      "listenTcp",
      () => listenTcp({ prot: 0 } as never, ignore),
      'listenTcp() has no option "prot"; did you mean port?',
    ],
    [
      "listenTcp",
      () => listenTcp({ connectTimeoutMs: 5 } as never, ignore),
      "connectTimeoutMs is an option of connectTcp(), not of listenTcp()",
    ],
    [
      "connectTcp",
      () => connectTcp({ host: "127.0.0.1", port: 9, backlog: 5 } as never),
      "backlog is an option of listenTcp(), not of connectTcp()",
    ],
    [
      "connectTcp",
      () => connectTcp({ host: "127.0.0.1", port: 9, conectTimeoutMs: 5 } as never),
      "did you mean connectTimeoutMs?",
    ],
    [
      "listenUnix",
      () => listenUnix({ path: "/tmp/never.sock", checkDirectry: true } as never, ignore),
      'listenUnix() has no option "checkDirectry"; did you mean checkDirectory?',
    ],
    [
      "connectUnix",
      () => connectUnix({ path: "/tmp/never.sock", mode: 0o600 } as never),
      "mode is an option of listenUnix(), not of connectUnix()",
    ],
  ])("%s: %s", async (_, run, message) => {
    await expect(run()).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining(message),
    });
  });

  it("accepts an unknown key set to undefined, and every known one", async () => {
    const listener = await listenTcp(
      { host: "127.0.0.1", port: 0, extra: undefined } as never,
      (c) => c.reset(),
    );
    await listener.close();
  });
});
