/**
 * The `handlerError` hook: what a request handler threw (synchronously, by a rejected promise, from
 * its item generator mid-stream, or from its output as it was encoded) passes through it once, with
 * the method's name, and what it returns is what the caller receives. And the error Response itself:
 * within the caller's maxFrameBytes whatever the error.
 */
import { ServiceError } from "@parley/codec";
import { describe, expect, it } from "vitest";
import { rejection } from "./support/async.js";
import { feed } from "./support/contracts.js";
import { peerPair } from "./support/peer-pair.js";

function hook() {
  const seen: [string, string][] = [];
  const handlerError = (error: unknown, method: string) => {
    seen.push([method, (error as Error).message]);
    return new ServiceError("HIDDEN", `${method} failed`);
  };
  return { seen, handlerError };
}

/** Handlers that throw (synchronously, by a rejected promise) secrets a caller must not see. */
const failing = {
  sync: () => {
    throw new Error("secret path /etc/x");
  },
  later: async () => {
    throw new Error("secret token abc");
  },
  fine: (n: number) => n + 1,
};

describe("handlerError", () => {
  it("decides what is sent for a handler's throw and for its rejected promise", async () => {
    const { seen, handlerError } = hook();
    const { client } = peerPair(
      {
        handlerError,
        handlers: failing,
      },
      {},
    );
    for (const method of ["sync", "later"]) {
      const error = await rejection(client.request(method, 1));
      expect(error).toMatchObject({ code: "HIDDEN", message: `${method} failed` });
    }
    await expect(client.request("fine", 1)).resolves.toBe(2);
    expect(seen).toEqual([
      ["sync", "secret path /etc/x"],
      ["later", "secret token abc"],
    ]);
  });

  it("decides what is sent when a generator handler throws mid-stream, after its items", async () => {
    const { seen, handlerError } = hook();
    const { client } = peerPair(
      {
        serves: feed,
        handlerError,
        handlers: {
          add: (n) => n + 1,
          async *tail(n) {
            for (let i = 0; i < n; i++) yield `line ${i}`;
            throw new Error("disk at /dev/sda1 gone");
          },
          upload: () => 0,
          async *chat() {},
        },
      },
      { calls: feed },
    );
    const stream = client.stream.tail(2);
    const items: string[] = [];
    const thrown = await (async () => {
      try {
        for await (const item of stream) items.push(item);
      } catch (error) {
        return error;
      }
    })();
    expect(items).toEqual(["line 0", "line 1"]);
    expect(thrown).toMatchObject({ code: "HIDDEN", message: "tail failed" });
    await expect(stream.result).rejects.toMatchObject({ code: "HIDDEN" });
    expect(seen).toEqual([["tail", "disk at /dev/sda1 gone"]]);
  });

  it("decides what is sent for an output that throws as it is encoded (a getter)", async () => {
    const { seen, handlerError } = hook();
    const { client } = peerPair(
      {
        handlerError,
        handlers: {
          lazy: () => ({
            get user() {
              throw new Error("db at 10.0.0.5 refused user admin");
            },
          }),
        },
      },
      {},
    );
    const error = await rejection(client.request("lazy", 1));
    expect(error).toMatchObject({ code: "HIDDEN", message: "lazy failed" });
    expect(seen).toEqual([["lazy", "db at 10.0.0.5 refused user admin"]]);
  });

  it("sends INTERNAL, and nothing of the error, when the hook itself throws", async () => {
    const warnings: string[] = [];
    const { client } = peerPair(
      {
        handlerError: () => {
          throw new Error("hook bug");
        },
        logger: { warn: (message: string) => warnings.push(message) },
        handlers: failing,
      },
      {},
    );
    for (const method of ["sync", "later"]) {
      const error = await rejection(client.request(method, 1));
      expect(error).toMatchObject({ code: "INTERNAL", message: `${method} failed` });
    }
    // The connection and its handler slots are intact.
    await expect(client.request("fine", 1)).resolves.toBe(2);
    expect(warnings.filter((w) => w.includes("handlerError threw"))).toHaveLength(2);
  });

  it("keeps an error Response within the caller's maxFrameBytes, so other calls go on", async () => {
    let release = (_: string) => {};
    const { client } = peerPair(
      {
        handlers: {
          slow: () => new Promise<string>((resolve) => (release = resolve)),
          boom: async () => {
            throw new Error("x".repeat(100_000));
          },
        },
      },
      { maxFrameBytes: 65_536 },
    );
    const slow = client.request("slow", 1);
    const error = await rejection(client.request("boom", 1));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toContain("cut: the error was larger than the caller's maxFrameBytes");
    expect(error.message.length).toBeLessThan(2_000);
    release("slow ok");
    await expect(slow).resolves.toBe("slow ok");
    expect(client.state).toBe("open");
  });

  it("is refused when it is not a function (INVALID_OPTION)", () => {
    expect(() => peerPair({ handlerError: "hide" as never }, {})).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
  });
});
