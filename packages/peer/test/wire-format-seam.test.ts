import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { createPeer, type PeerOptions } from "../src/index.js";
import { Kind } from "../src/wire-constants.js";
import { rejection } from "./support/async.js";
import { createJsonLinesWireFormat } from "./support/json-lines-wire-format.js";
import { spyWrites } from "./support/write-spy.js";

/** A client and a server that speak JSON lines; the client's writes are recorded. */
function jsonLinesPair(server: PeerOptions, client: PeerOptions = {}) {
  const [a, b] = createMemoryPair();
  const { connection, writes } = spyWrites(a);
  const wireFormat = createJsonLinesWireFormat;
  const pair = {
    server: createPeer(b, { side: "server", wireFormat, ...server }),
    client: createPeer(connection, { wireFormat, ...client }),
    writes,
  };
  onTestFinished(() => {
    pair.client.destroy();
    pair.server.destroy();
  });
  return pair;
}

describe("the wire format seam", () => {
  it("runs the handshake, calls, signals and a graceful close over another wire format", async () => {
    const heard: unknown[] = [];
    const { client, server, writes } = jsonLinesPair({
      handlers: { add: ({ a, b }: { a: number; b: number }) => ({ sum: a + b }) },
      signalHandlers: { note: (text: unknown) => void heard.push(text) },
    });
    await expect(client.request("add", { a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
    await client.signal("note", "hello");
    await client.close();
    await expect(server.closed).resolves.toMatchObject({ reason: "graceful" });
    expect(heard).toEqual(["hello"]);
    const sent = writes.flat().map((chunk) => new TextDecoder().decode(chunk));
    const kinds = sent
      .join("")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { kind: number }).kind);
    expect(kinds).toEqual(
      expect.arrayContaining([Kind.Hello, Kind.HelloAck, Kind.Request, Kind.Signal, Kind.Bye]),
    );
  });

  it("lets the wire format refuse a request larger than the remote's maxFrameBytes (MESSAGE_TOO_LARGE)", async () => {
    const { client } = jsonLinesPair({
      maxFrameBytes: 65_536,
      handlers: { echo: (v: unknown) => v },
    });
    await client.ready;
    const error = await rejection(client.request("echo", "x".repeat(70_000)));
    expect(error).toMatchObject({ code: "MESSAGE_TOO_LARGE", notExecuted: true });
    expect(error.message).toContain("maxFrameBytes (65536)");
    await expect(client.request("echo", "small")).resolves.toBe("small");
  });
});
