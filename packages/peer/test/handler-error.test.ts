/**
 * The `handlerError` hook: what a request handler threw (synchronously, by a rejected promise, or
 * from its item generator mid-stream) passes through it once, with the method's name, and what it
 * returns is what the caller receives.
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

describe("handlerError", () => {
  it("decides what is sent for a handler's throw and for its rejected promise", async () => {
    const { seen, handlerError } = hook();
    const { client } = peerPair(
      {
        handlerError,
        handlers: {
          sync: () => {
            throw new Error("secret path /etc/x");
          },
          later: async () => {
            throw new Error("secret token abc");
          },
          fine: (n: number) => n + 1,
        },
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

  it("is refused when it is not a function (INVALID_OPTION)", () => {
    expect(() => peerPair({ handlerError: "hide" as never }, {})).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
  });
});
