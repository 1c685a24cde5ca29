import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { expectNoLeakedHandles, snapshotHandles } from "../src/index.js";

function listen() {
  const server = createServer();
  return new Promise<typeof server>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(server)),
  );
}

describe("handle snapshots", () => {
  it("counts resources by kind and open file descriptors", async () => {
    const before = snapshotHandles();
    const server = await listen();
    const during = snapshotHandles();
    await new Promise((resolve) => server.close(resolve));
    expect(during.resources.TCPServerWrap).toBe((before.resources.TCPServerWrap ?? 0) + 1);
    expect(during.fds).toBeGreaterThanOrEqual((before.fds ?? 0) + 1);
  });

  it("passes when everything opened since the snapshot has closed", async () => {
    const before = snapshotHandles();
    const server = await listen();
    // Closed while the check is already polling: handles go away asynchronously.
    setTimeout(() => server.close(), 20);
    await expect(expectNoLeakedHandles(before)).resolves.toBeUndefined();
  });

  it("rejects with LEAKED_HANDLES naming the kind and the extra fd left open", async () => {
    const before = snapshotHandles();
    const server = await listen();
    try {
      const failure = expectNoLeakedHandles(before, { timeoutMs: 50 });
      await expect(failure).rejects.toMatchObject({
        code: "LEAKED_HANDLES",
        name: "LeakedHandlesError",
        // Other fds may come and go in the worker meanwhile: only the server's kind is exact.
        message: expect.stringMatching(/1 more TCPServerWrap .*\d+ more file descriptors/),
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("skips the kinds listed in ignore, and fds when checkFds is false", async () => {
    const before = snapshotHandles();
    const server = await listen();
    try {
      await expect(
        expectNoLeakedHandles(before, { timeoutMs: 20, ignore: ["TCPServerWrap"] }),
      ).rejects.toThrow(/^(?!.*TCPServerWrap).*\d+ more file descriptors/);
      await expect(
        expectNoLeakedHandles(before, {
          timeoutMs: 20,
          ignore: ["TCPServerWrap"],
          checkFds: false,
        }),
      ).resolves.toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("rejects a bad timeoutMs with INVALID_OPTION", async () => {
    await expect(expectNoLeakedHandles(snapshotHandles(), { timeoutMs: -5 })).rejects.toMatchObject(
      {
        code: "INVALID_OPTION",
        message: expect.stringContaining("timeoutMs must be an integer of at least 0"),
      },
    );
  });
});
