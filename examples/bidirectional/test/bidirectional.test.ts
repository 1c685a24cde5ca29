import { describe, expect, it } from "vitest";
import { run } from "../src/main.js";

const sockets = () =>
  process.getActiveResourcesInfo().filter((name) => /^(TCP|Pipe)/.test(name)).length;

describe("bidirectional example", () => {
  it("delivers every progress signal from the server's handler to the client, in order", async () => {
    const result = await run(() => {});
    expect(result.progress).toEqual([
      "web 1/4",
      "web 2/4",
      "web 3/4",
      "web 4/4",
      "database 1/2",
      "database 2/2",
    ]);
  });

  it("lets the server's handler call a method the client serves and use the answer", async () => {
    const lines: string[] = [];
    const result = await run((line) => lines.push(line));
    expect(result.asked).toEqual(["web", "database"]);
    expect(result.artifact).toBe("web-1.0.0.tgz");
    expect(result.declinedCode).toBe("NOT_APPROVED");
    // One connection keeps order: the last progress signal arrives before the question.
    const lastProgress = lines.findIndex(
      (line) => line.startsWith("  progress web:") && line.endsWith("4/4"),
    );
    const question = lines.findIndex((line) => line.includes("server asks: release web"));
    expect(lastProgress).toBeGreaterThanOrEqual(0);
    expect(question).toBeGreaterThan(lastProgress);
  });

  it("pushes a server-initiated signal to every connected client", async () => {
    const result = await run(() => {});
    expect(result.announcements).toEqual(["maintenance at 02:00 UTC"]);
  });

  it("removes a watcher when its connection closes, with no failed push needed", async () => {
    const lines: string[] = [];
    const result = await run((line) => lines.push(line));
    expect(result.finished).toEqual(["web web-1.0.0.tgz"]);
    expect(result.watchers).toEqual({ before: 1, after: 0 });
    // The registry heard of the close itself: no push was attempted after the client left.
    const left = lines.findIndex((line) => /watcher \d+ left; 0 watching web/.test(line));
    expect(left).toBeGreaterThanOrEqual(0);
    expect(lines.slice(left).some((line) => line.includes("watcher hears"))).toBe(false);
  });

  it("serves a plain client that serves no callbacks beside the callback-serving one", async () => {
    const result = await run(() => {});
    expect(result.plainWatch).toBe(false);
  });

  it("leaves no sockets open", async () => {
    const before = sockets();
    await run(() => {});
    await expect.poll(sockets, { timeout: 2_000 }).toBe(before);
  });
});
