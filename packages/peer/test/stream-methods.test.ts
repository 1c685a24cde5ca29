/**
 * Contracts with stream methods (`yields`, `accepts`): @parley/codec defines them, but the engine
 * carries no streams yet, so a peer refuses to serve or call such a contract rather than send its
 * stream methods as unary calls.
 */
import { defineContract } from "@parley/codec";
import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createPeer, type PeerOptions } from "../src/index.js";
import { checkPeerOptions } from "../src/internal.js";
import { streamMethods } from "../src/runtime-contract.js";
import { calc } from "./support/contracts.js";

const feed = defineContract({
  name: "feed",
  version: 1,
  requests: {
    add: { input: z.number(), output: z.number() },
    tail: { input: z.string(), yields: z.string(), output: z.number(), timeoutMs: 5_000 },
    upload: { input: z.string(), accepts: z.string(), timeoutMs: Number.POSITIVE_INFINITY },
    chat: { input: z.string(), yields: z.string(), accepts: z.string(), timeoutMs: 1_000 },
  },
});

function refusal(options: PeerOptions<never, never>): { code?: string; message: string } {
  const [connection] = createMemoryPair();
  try {
    createPeer(connection, options);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("createPeer accepted a contract with stream methods");
}

describe("contracts with stream methods", () => {
  it("are still defined by the codec, which says what each stream method carries", () => {
    expect(feed.streamOf("tail")).toMatchObject({ yields: true, accepts: false });
    expect(streamMethods(feed)).toEqual([
      "tail (yields)",
      "upload (accepts)",
      "chat (yields, accepts)",
    ]);
    expect(streamMethods(calc)).toEqual([]);
  });

  it.each(["serves", "calls"])(
    "are refused as %s by createPeer with INVALID_OPTION naming each method",
    (name) => {
      const error = refusal({ [name]: feed } as PeerOptions<never, never>);
      expect(error.code).toBe("INVALID_OPTION");
      expect(error.message).toContain("stream methods are not supported by this version yet");
      expect(error.message).toContain(`${name} contract feed`);
      expect(error.message).toContain("tail (yields), upload (accepts), chat (yields, accepts)");
      expect(error.message).not.toContain("add");
    },
  );

  it("are refused by checkPeerOptions too, the check a server runs once when it starts", () => {
    let caught: { code?: string; message?: string } | undefined;
    try {
      checkPeerOptions({ side: "server", serves: feed, handlers: {} });
    } catch (error) {
      caught = error as { code?: string; message?: string };
    }
    expect(caught?.code).toBe("INVALID_OPTION");
    expect(caught?.message).toContain("tail (yields)");
  });

  it("leave a contract of unary methods alone, and the connection unused when refused", async () => {
    const [connection] = createMemoryPair();
    expect(() => createPeer(connection, { calls: feed })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
    // Refused before attaching: the connection can still take a peer, here with a unary contract.
    const peer = createPeer(connection, { serves: calc });
    peer.destroy();
    const info = await peer.closed;
    expect(info.initiator).toBe("local");
  });
});
