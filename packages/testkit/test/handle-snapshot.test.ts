import { closeSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { expectNoLeakedHandles, snapshotHandles } from "../src/index.js";

function listen() {
  const server = createServer();
  return new Promise<typeof server>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(server)),
  );
}

/** Resolves once this process holds no listening TCP server. */
async function noServersOpen(): Promise<void> {
  while (snapshotHandles().resources.TCPServerWrap) await new Promise((r) => setTimeout(r, 5));
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

  it("rejects with LEAKED_HANDLES naming the kind left open", async () => {
    // A server closed by an earlier test may still be on its way out: start from none.
    await noServersOpen();
    const before = snapshotHandles();
    const server = await listen();
    try {
      const failure = expectNoLeakedHandles(before, { timeoutMs: 50 });
      await expect(failure).rejects.toMatchObject({
        code: "LEAKED_HANDLES",
        name: "LeakedHandlesError",
        message: expect.stringContaining("1 more TCPServerWrap (1 vs 0)"),
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("counts file descriptors that belong to no handle, such as an open file", async () => {
    const before = snapshotHandles();
    // Twenty, so that a worker's own fds coming and going cannot hide them.
    const fds = Array.from({ length: 20 }, () => openSync("/dev/null", "r"));
    try {
      await expect(expectNoLeakedHandles(before, { timeoutMs: 20 })).rejects.toThrow(
        /\d+ more file descriptors/,
      );
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    await expect(expectNoLeakedHandles(before)).resolves.toBeUndefined();
  });

  it("skips the kinds listed in ignore and, with checkFds false, the fd count", async () => {
    // As above: a server of an earlier test (or test file) may still be on its way out.
    await noServersOpen();
    const before = snapshotHandles();
    const server = await listen();
    try {
      await expect(expectNoLeakedHandles(before, { timeoutMs: 20 })).rejects.toThrow(
        "TCPServerWrap",
      );
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
