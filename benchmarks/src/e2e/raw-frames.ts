/**
 * The raw node:net yardstick of `bench:streams`: one socket pushing length-prefixed frames one way
 * as fast as its own backpressure allows, read through a length-prefix decoder, with both ends in
 * this process as Parley's are there.
 *
 * Besides frames per second it reports the CPU the process spent per frame (user + system, both
 * ends): on a shared machine the frames/s of a run swing with the share of a core the process gets
 * (measured: CPU per frame within 10% from run to run while frames/s swung 1.8x, following that
 * share), so CPU per frame is the steady figure of the two.
 */
import { fork } from "node:child_process";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { LengthFieldDecoder } from "@parley/framing";
import { childLaunch } from "./child-handle.js";

/** A Response item frame's header after the length prefix: kind, flags, id, status. */
export const ITEM_HEADER_BYTES = 7;

/** msgpack's bin header for `size` bytes: 2 up to 255, 3 up to 65,535, else 5, as the codec. */
export function binHeaderBytes(size: number): number {
  return size < 0x100 ? 2 : size < 0x1_0000 ? 3 : 5;
}

/** One raw run. */
export interface RawRun {
  /** Frames (items) the reading end received. */
  readonly frames: number;
  readonly framesPerSec: number;
  /** CPU microseconds (user + system, writer and reader together) per frame. */
  readonly cpuUsPerFrame: number;
}

/** Frames per write, as many as a stream window lets Parley's outbox write in one turn at most. */
const BATCH = 64;

/**
 * Moves `count` frames of a `size`-byte item (the same bytes as a Response item: length prefix,
 * 7 bytes of header, a msgpack bin header) over `address` (a Unix path, or "tcp"). The writer hands
 * the socket 64 frames per write, so the ceiling is not set by one syscall per frame.
 */
export async function measureRaw(address: string, size: number, count: number): Promise<RawRun> {
  const frameBytes = 4 + ITEM_HEADER_BYTES + binHeaderBytes(size) + size;
  const chunk = new Uint8Array(frameBytes * BATCH);
  const view = new DataView(chunk.buffer);
  for (let i = 0; i < BATCH; i++) view.setUint32(i * frameBytes, frameBytes - 4);
  const server: Server = createServer((socket: Socket) => pump(socket, chunk, count));
  await new Promise<void>((resolve) =>
    address === "tcp" ? server.listen(0, "127.0.0.1", resolve) : server.listen(address, resolve),
  );
  const port = (server.address() as { port?: number }).port;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const frames = await new Promise<number>((resolve, reject) => {
    const socket = address === "tcp" ? netConnect(port!, "127.0.0.1") : netConnect(address);
    const decoder = new LengthFieldDecoder({ maxFrameBytes: 4 * 1_048_576 });
    let n = 0;
    socket.on("data", (data) => decoder.push(data, () => n++));
    socket.on("end", () => resolve(n));
    socket.on("error", reject);
  });
  const seconds = (performance.now() - start) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    frames,
    framesPerSec: frames / seconds,
    cpuUsPerFrame: (cpu.user + cpu.system) / frames,
  };
}

/** Writes `count` frames (in chunks of {@link BATCH}) as fast as the socket takes them, then ends. */
function pump(socket: Socket, chunk: Uint8Array, count: number): void {
  let sent = 0;
  const go = (): void => {
    while (sent < count) {
      sent += BATCH;
      if (!socket.write(chunk)) {
        socket.once("drain", go);
        return;
      }
    }
    socket.end();
  };
  go();
}

/** How long a raw run apart may take, warm-up included, before its child is killed. */
const APART_TIMEOUT_MS = 120_000;

/**
 * {@link measureRaw} in a child process whose heap is raw node:net's own, not this process's: its
 * second run, after a warm-up run there. Raw node:net allocates a fresh 64 KiB buffer per read, and
 * V8 collects that churn at a cost that grows with the heap around it: beside Parley's modules
 * (12-16 MB of heap) its CPU per 1 KiB frame has measured 0.6 µs in some runs and 0.9-1.6 µs in
 * others, alone (8-10 MB) 0.5-0.8 µs. Both yardsticks are reported.
 */
export function measureRawApart(address: string, size: number, count: number): Promise<RawRun> {
  const { path, execArgv } = childLaunch("./raw-frames-child.ts", "source");
  const child = fork(path, [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise<RawRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the raw node:net child took over ${APART_TIMEOUT_MS} ms`));
    }, APART_TIMEOUT_MS);
    child.once("message", (run) => {
      clearTimeout(timer);
      resolve(run as RawRun);
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the raw node:net child exited (${signal ?? code}) before reporting`));
    });
    child.send({ address, size, count });
  });
}
