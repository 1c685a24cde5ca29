import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectNoLeakedHandles, type HandleSnapshot, snapshotHandles } from "@parley/testkit";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { connectUnix, listenUnix, type UnixListener } from "../src/index.js";
import { shortTempDir } from "./helpers/sockets.js";

let before: HandleSnapshot;
beforeAll(() => {
  before = snapshotHandles();
});
afterAll(() => expectNoLeakedHandles(before));

/** A listener that counts the connections it accepts and closes each at once. */
async function listenCounting(
  path: string,
  counter: { accepted: number },
  mode?: number,
): Promise<UnixListener> {
  return listenUnix({ path, mode }, (connection) => {
    counter.accepted++;
    connection.reset();
  });
}

/** A directory whose absolute path is `length` bytes long (the socket's name comes after it). */
function directoryOfLength(length: number): string {
  const base = shortTempDir();
  const dir = join(base, "d".repeat(length - base.length - 1));
  mkdirSync(dir);
  expect(dir.length).toBe(length);
  return dir;
}

/**
 * Another local user (uid 65534) who tries to connect to every name created in the directory (told
 * by inotify), and lists the directory over and over, trying every entry in it and in every
 * subdirectory it can read. Counts too the sockets it saw with a mode that lets others connect
 * (`exposed`), which catches a window too short to connect through. Prints
 * `attempts connected exposed` when sent SIGTERM.
 */
function startIntruder(dir: string): Promise<ChildProcess> {
  const code = `
    const fs = require("node:fs"), net = require("node:net"), path = require("node:path");
    let attempts = 0, connected = 0, exposed = 0, stop = false;
    const report = () => console.log(attempts + " " + connected + " " + exposed);
    process.on("SIGUSR2", report);
    process.on("SIGTERM", () => { stop = true; report(); process.exit(0); });
    const names = () => {
      const out = [];
      for (const name of safeList(${JSON.stringify(dir)})) {
        const full = path.join(${JSON.stringify(dir)}, name);
        out.push(full);
        for (const inner of safeList(full)) out.push(path.join(full, inner));
      }
      return out;
    };
    function safeList(d) { try { return fs.readdirSync(d); } catch { return []; } }
    function round() {
      if (stop) return;
      const targets = names();
      let left = targets.length;
      if (left === 0) return setImmediate(round);
      for (const target of targets) {
        attempts++;
        const socket = net.connect({ path: target });
        const done = () => { socket.destroy(); if (--left === 0) setImmediate(round); };
        socket.once("connect", () => { connected++; done(); });
        socket.once("error", done);
      }
    }
    // inotify tells of each new name at once, as a real intruder would use it.
    fs.watch(${JSON.stringify(dir)}, (event, name) => {
      if (!name || stop) return;
      attempts++;
      const full = path.join(${JSON.stringify(dir)}, name);
      try { if (fs.lstatSync(full).isSocket() && (fs.lstatSync(full).mode & 0o002) !== 0) exposed++; } catch {}
      const socket = net.connect({ path: full });
      socket.once("connect", () => { connected++; socket.destroy(); });
      socket.once("error", () => socket.destroy());
    });
    console.log("ready");
    round();`;
  const child = spawn(nodeForOthers(), ["-e", code], {
    uid: 65534,
    gid: 65534,
    stdio: ["ignore", "pipe", "inherit"],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.once("data", () => resolve(child));
  });
}

/**
 * A Node binary the intruder's uid may run: this process's own, unless it lies under a directory
 * closed to others (an npx-installed Node under /root), then one on the usual system paths. The
 * intruder's script uses only node:net and node:fs, so any current Node runs it.
 */
function nodeForOthers(): string {
  const candidates = [process.execPath, "/usr/bin/node", "/usr/local/bin/node"];
  const found = candidates.find((file) => existsSync(file) && othersMayRun(file));
  if (found === undefined) throw new Error(`no Node binary another user may run: ${candidates}`);
  return found;
}

/** True when `file` and every directory above it are executable by others. */
function othersMayRun(file: string): boolean {
  for (let p = file; ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) return false;
    if (p === dirname(p)) return true;
  }
}

/** What the intruder tried and achieved so far (`SIGUSR2`), or in all as it stops (`SIGTERM`). */
async function intruderCounts(
  child: ChildProcess,
  signal: "SIGUSR2" | "SIGTERM",
): Promise<{ attempts: number; connected: number; exposed: number }> {
  const line = new Promise<string>((resolve) => {
    child.stdout!.once("data", (data) => resolve(String(data).trim()));
  });
  child.kill(signal);
  const [attempts, connected, exposed] = (await line).split(" ").map(Number);
  return { attempts: attempts!, connected: connected!, exposed: exposed! };
}

const asRoot = process.platform === "linux" && process.getuid?.() === 0;

describe.runIf(asRoot)(
  "binding a socket file under umask 000 (as root, intruder uid 65534)",
  () => {
    it("lets another user connect 0 times during 300 restarts, and the intruder could connect to a 0666 socket", async () => {
      const dir = shortTempDir();
      chmodSync(dir, 0o755); // the intruder may list the directory, as in /run or /tmp
      const path = join(dir, "w.sock");
      const previous = process.umask(0o000);
      onTestFinished(() => {
        process.umask(previous);
      });
      const counter = { accepted: 0 };
      const intruder = await startIntruder(dir);
      for (let i = 0; i < 300; i++) {
        const listener = await listenCounting(path, counter);
        await listener.close();
      }
      const during = counter.accepted;
      const restarts = await intruderCounts(intruder, "SIGUSR2");
      // The control: the same intruder does get in when the mode lets everyone connect.
      const open = await listenCounting(path, counter, 0o666);
      const deadline = Date.now() + 10_000;
      while (counter.accepted === during && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const control = await intruderCounts(intruder, "SIGTERM");
      await open.close();
      expect(during).toBe(0);
      expect(restarts).toMatchObject({ connected: 0, exposed: 0 });
      expect(restarts.attempts).toBeGreaterThan(300);
      expect(counter.accepted).toBeGreaterThan(0);
      expect(control.connected).toBeGreaterThan(0);
      expect(readdirSync(dir)).toEqual([]);
    }, 60_000);
  },
);

describe.runIf(asRoot)(
  "binding in a directory others may traverse but not list (as uid 65534)",
  () => {
    it("binds through the private directory all the same, so a successor's socket survives its predecessor's close", () => {
      const base = shortTempDir();
      chmodSync(base, 0o711);
      // Over 95 bytes: the private path is then too long for sockaddr_un and goes through /proc.
      const dir = join(base, "x".repeat(98 - base.length - 1));
      mkdirSync(dir);
      chownSync(dir, 65534, 65534);
      chmodSync(dir, 0o300); // write and search, no read: a drop box
      const script = fileURLToPath(new URL("./helpers/successor-bind.ts", import.meta.url));
      const output = execFileSync(
        nodeForOthers(),
        ["--conditions=@parley/source", "--import", "tsx", script, join(dir, "s.sock")],
        { uid: 65534, gid: 65534, cwd: dirname(script), encoding: "utf8", timeout: 30_000 },
      );
      expect(JSON.parse(output.trim())).toEqual({ kept: true });
      chmodSync(dir, 0o700);
      expect(readdirSync(dir)).toEqual([]);
    }, 40_000);
  },
);

describe("binding a socket file", () => {
  it.each([
    ["a short directory (bound in a private directory beside it)", 20],
    ["a directory of over 95 bytes (bound through /proc/self/fd on Linux)", 98],
  ])("in %s, a successor's socket survives its predecessor's close", async (_, length) => {
    const dir = directoryOfLength(length);
    const path = join(dir, "r.sock");
    const counter = { accepted: 0 };
    const predecessor = await listenCounting(path, counter);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    rmSync(path); // a deploy script clears the path and starts the new instance
    const successor = await listenCounting(path, counter);
    const inode = statSync(path).ino;
    await predecessor.close();
    expect(statSync(path).ino).toBe(inode);
    const client = await connectUnix({ path });
    client.reset();
    await client.closed;
    await successor.close();
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses with ADDRESS_IN_USE, leaving no private directory behind, when a live server holds the path", async () => {
    const dir = shortTempDir();
    const path = join(dir, "u.sock");
    const counter = { accepted: 0 };
    const first = await listenCounting(path, counter);
    await expect(listenCounting(path, counter)).rejects.toMatchObject({ code: "ADDRESS_IN_USE" });
    expect(readdirSync(dir)).toEqual(["u.sock"]);
    await first.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});
