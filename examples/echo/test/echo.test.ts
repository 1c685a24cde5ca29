import { describe, expect, it } from "vitest";
import { run } from "../src/main.js";

/** Socket handles (TCP and Unix alike) open in this process. */
const sockets = () =>
  process.getActiveResourcesInfo().filter((name) => /^(TCP|Pipe)/.test(name)).length;

describe("echo example", () => {
  it("echoes over TCP and over a Unix socket with the same client code", async () => {
    const lines: string[] = [];
    const result = await run((line) => lines.push(line));
    expect(result.tcp.url).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(result.unix.url).toMatch(/^unix:\/\/\/tmp\/parley-[0-9a-f]+\.sock$/);
    expect(result.tcp.replies).toEqual(["hello", "HEY HEY HEY"]);
    expect(result.unix.replies).toEqual(["hello", "HEY HEY HEY"]);
    expect(lines.filter((line) => line.endsWith("reply: HEY HEY HEY"))).toHaveLength(2);
  });

  it("creates an owner-only socket file and removes it on close", async () => {
    const { unix } = await run(() => {});
    expect(unix.socketMode).toBe(0o600);
    expect(unix.socketRemoved).toBe(true);
  });

  it("leaves no sockets open", async () => {
    const before = sockets();
    await run(() => {});
    // A closed handle leaves the list on the next turn of the event loop.
    await expect.poll(sockets, { timeout: 2_000 }).toBe(before);
  });
});
