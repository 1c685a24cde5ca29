import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_STREAM_WINDOW_BYTES, DEFAULT_STREAM_WINDOW_ITEMS } from "../src/credit-window.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("shows the quick start that test/support/quick-start.ts runs, verbatim", () => {
    const file = readFileSync(new URL("./support/quick-start.ts", import.meta.url), "utf8");
    const block = readme.match(/## Quick start\n\n```ts\n([\s\S]*?)```/)?.[1];
    expect(block).toBe(file);
  });

  it("runs the quick start: a call, a signal and a graceful close", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await import("./support/quick-start.js");
    expect(log).toHaveBeenCalledWith("sum is 3");
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({ initiator: "remote", reason: "graceful" }),
    );
    log.mockRestore();
  });

  it("documents every option of PeerOptions with its default", async () => {
    const source = readFileSync(new URL("../src/peer-options.ts", import.meta.url), "utf8");
    const body = source.slice(
      source.indexOf("export interface PeerOptions"),
      source.indexOf("/** {@link PeerOptions} validated"),
    );
    const options = [...body.matchAll(/^ {2}(\w+)\?:/gm)].map((m) => m[1]);
    expect(options.length).toBeGreaterThan(15);
    for (const option of options) {
      expect(readme, option).toMatch(new RegExp(`^\\|\\s*\`${option}\`\\s*\\|\\s*\\S`, "m"));
    }
  });

  it("gives the stream windows' defaults as the code has them", () => {
    const row = (option: string) =>
      readme.match(new RegExp(`^\\|\\s*\`${option}\`\\s*\\|\\s*\`(\\d+)\``, "m"))?.[1];
    expect(Number(row("streamWindowItems"))).toBe(DEFAULT_STREAM_WINDOW_ITEMS);
    expect(Number(row("streamWindowBytes"))).toBe(DEFAULT_STREAM_WINDOW_BYTES);
  });
});
