import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { kv, type Result, run } from "../src/main.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const sockets = () =>
  process.getActiveResourcesInfo().filter((name) => /^(TCP|Pipe)/.test(name)).length;

/** Runs a command to completion, collecting its output. */
function runCommand(command: string, args: string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("flagship example", () => {
  let result: Result;
  const lines: string[] = [];
  let socketsBefore = 0;
  beforeAll(async () => {
    socketsBefore = sockets();
    result = await run((line) => lines.push(line), { calls: 5_000 });
  });

  it("shows both sides' Hello: names, contract and fingerprint", () => {
    expect(result.url).toMatch(/^unix:\/\/\/tmp\/parley-[0-9a-f]+\.sock$/);
    expect(result.serverHello.serves).toEqual({
      name: "kv",
      version: "1",
      fingerprint: kv.fingerprint,
    });
    expect(result.serverHello.metadata).toEqual({ name: "kv-server" });
    expect(result.clientHello.calls?.fingerprint).toBe(kv.fingerprint);
    expect(result.clientHello.metadata).toEqual({ name: "kv-cli" });
    expect(lines[1]).toContain(`fingerprint ${kv.fingerprint}`);
  });

  it("answers typed requests and applies a one-way signal", () => {
    expect(result.version).toBe(1);
    expect(result.value).toBe("hello, world");
    expect(result.evicted).toBe(1);
    expect(result.valueAfterEvict).toBeNull();
  });

  it("reports the validation error with its code and summary", () => {
    expect(result.validation.code).toBe("INVALID_ARGUMENT");
    expect(result.validation.message).toMatch(/^invalid request input for kv\.set: key: Too small/);
  });

  it("measures every call it claims and closes with all of them accounted for", () => {
    expect(result.throughput.calls).toBe(5_000);
    expect(result.throughput.concurrency).toBe(64);
    expect(result.throughput.perSecond).toBeGreaterThan(0);
    // 4 tour calls (the refused set counts: it was answered, with an error), 2,000 warm-up
    // calls and the 5,000 measured ones.
    expect(result.clientClose).toMatchObject({
      initiator: "local",
      reason: "graceful",
      calls: { completed: 4 + 2_000 + 5_000, rejected: 0, abandoned: 0 },
    });
    expect(result.serverClose).toMatchObject({ initiator: "remote", reason: "graceful" });
  });

  it("prints under 20 lines", () => {
    expect(lines.length).toBeLessThan(20);
    expect(lines.at(-1)).toBe(
      "bye         graceful, started by the client: 7,004 calls completed, 0 rejected, 0 abandoned",
    );
  });

  it("leaves no sockets open", async () => {
    await expect.poll(sockets, { timeout: 2_000 }).toBe(socketsBefore);
  });

  it("runs from the repo root with npm start", async () => {
    const { code, stdout, stderr } = await runCommand("npm", ["start"], repoRoot);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^hello {7}contract kv v1 · fingerprint [0-9a-f]{16} · msgpack/m);
    expect(stdout).toMatch(/^request {5}get greeting {19}-> "hello, world"$/m);
    expect(stdout).toMatch(/^signal {6}evict .* -> server dropped 1 key$/m);
    expect(stdout).toMatch(/^validation {2}set \{ key: "" \} +-> INVALID_ARGUMENT$/m);
    expect(stdout).toMatch(
      /^throughput {2}20,000 calls at concurrency 64 in \d+ ms = [\d,]+ req\/s over a Unix socket$/m,
    );
    expect(stdout).toMatch(
      /^bye {9}graceful, started by the client: 22,004 calls completed, 0 rejected, 0 abandoned$/m,
    );
  });
});
