import { describe, expect, it } from "vitest";
import { run } from "../src/main.js";

describe("upload example", () => {
  it("streams the file in chunks with progress; the server's hash matches", async () => {
    const lines: string[] = [];
    const result = await run((line) => lines.push(line));
    expect(result.reply).toEqual({ bytes: result.size, sha256: result.localSha256 });
    expect(result.progress).toHaveLength(128); // 8 MiB in 64 KiB chunks
    expect(result.progress.at(-1)).toBe(result.size);
    expect(lines).toContain("sent 100%");
    expect(lines).toContain(`uploaded ${result.size} bytes, sha256 matches: true`);
  });
});
