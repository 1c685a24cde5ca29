import { createServer } from "node:net";
import fc from "fast-check";
import { expect, it, onTestFinished, vi } from "vitest";
import {
  createByteTap,
  hostileStreamArbitrary,
  mutateBytes,
  sendHostileBytes,
  splitFrames,
} from "../src/index.js";

const frame = (...payload: number[]) => Uint8Array.from([0, 0, 0, payload.length, ...payload]);

it("splits a stream into whole frames and the incomplete rest", () => {
  const stream = Uint8Array.from([...frame(1, 2), ...frame(), ...frame(3), 0, 0, 0, 9, 4]);
  const { frames, rest } = splitFrames(stream);
  expect(frames.map((f) => [...f])).toEqual([
    [0, 0, 0, 2, 1, 2],
    [0, 0, 0, 0],
    [0, 0, 0, 1, 3],
  ]);
  expect([...rest]).toEqual([0, 0, 0, 9, 4]);
  expect(splitFrames(Uint8Array.from([2, 7, 7, 1]), 1).frames.length).toBe(1);
});

it("mutates a copy: flips, sets, truncates, inserts and overwrites a length", () => {
  const input = Uint8Array.from([0, 0, 0, 2, 0xaa, 0xbb]);
  expect([...mutateBytes(input, [{ op: "flip", at: 4, bit: 0 }])]).toEqual([
    0, 0, 0, 2, 0xab, 0xbb,
  ]);
  expect([...mutateBytes(input, [{ op: "set", at: 7, byte: 9 }])]).toEqual([
    0, 9, 0, 2, 0xaa, 0xbb,
  ]);
  expect([...mutateBytes(input, [{ op: "truncate", at: 3 }])]).toEqual([0, 0, 0]);
  expect([...mutateBytes(input, [{ op: "insert", at: 1, bytes: Uint8Array.of(5) }])]).toEqual([
    0, 5, 0, 0, 2, 0xaa, 0xbb,
  ]);
  expect([...mutateBytes(input, [{ op: "length", at: 0, value: 0xffffffff }])]).toEqual([
    255, 255, 255, 255, 0xaa, 0xbb,
  ]);
  expect([...input]).toEqual([0, 0, 0, 2, 0xaa, 0xbb]);
});

it("samples the same streams for the same seed, the handshake first when after it, of every kind", () => {
  const material = { handshake: frame(0x01, 0x02), frames: [frame(5, 6, 7), frame(8)] };
  const arbitrary = hostileStreamArbitrary(material);
  const a = fc.sample(arbitrary, { seed: 42, numRuns: 300 });
  const b = fc.sample(arbitrary, { seed: 42, numRuns: 300 });
  expect(a).toEqual(b);
  for (const stream of a.filter((s) => s.afterHandshake)) {
    expect([...stream.bytes.subarray(0, 6)]).toEqual([...material.handshake]);
  }
  expect(new Set(a.map((s) => s.kind))).toEqual(new Set(["random", "mutated", "replayed"]));
  expect(new Set(a.map((s) => s.end))).toEqual(new Set([true, false]));
});

it("records what passes through a tap, both ways", async () => {
  const echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => void echo.close());
  const tap = await createByteTap({
    host: "127.0.0.1",
    port: (echo.address() as { port: number }).port,
  });
  const result = await sendHostileBytes(tap.address, Buffer.from("hello"), { end: true });
  await tap.close();
  expect(result.bytesReceived).toBe(5);
  expect(Buffer.concat(tap.connections[0]!.toTarget).toString()).toBe("hello");
  expect(Buffer.concat(tap.connections[0]!.toClient).toString()).toBe("hello");
});

it("reports when the server closed a hostile connection, or that it never did", async () => {
  // The silent one is reset when the tool gives up on it: it hears ECONNRESET, as a server would.
  const silent = createServer((socket) => socket.on("data", () => {}).on("error", () => {}));
  const closing = createServer((socket) => socket.once("data", () => socket.destroy()));
  for (const server of [silent, closing]) {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => void server.close());
  }
  const address = (server: typeof silent) => ({
    host: "127.0.0.1",
    port: (server.address() as { port: number }).port,
  });
  const kept = await sendHostileBytes(address(silent), Uint8Array.of(1), {
    end: false,
    timeoutMs: 200,
  });
  expect(kept.closedAfterMs).toBeUndefined();
  const closed = await sendHostileBytes(address(closing), Uint8Array.of(1), {
    end: false,
    timeoutMs: 5_000,
  });
  expect(closed.closedAfterMs).toBeGreaterThanOrEqual(0);
});

it("resets a connection the server kept open past timeoutMs: the server sees ECONNRESET", async () => {
  const seen: string[] = [];
  const silent = createServer((socket) => {
    socket.on("data", () => {});
    socket.on("end", () => seen.push("end"));
    socket.on("error", (error: NodeJS.ErrnoException) => seen.push(error.code ?? "error"));
    socket.on("close", () => seen.push("close"));
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => void silent.close());
  const port = (silent.address() as { port: number }).port;
  const result = await sendHostileBytes({ host: "127.0.0.1", port }, Uint8Array.of(1), {
    end: false,
    timeoutMs: 50,
  });
  expect(result.closedAfterMs).toBeUndefined();
  await vi.waitFor(() => expect(seen).toContain("close"));
  expect(seen).toEqual(["ECONNRESET", "close"]);
});
