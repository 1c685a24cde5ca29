// The server of accepted-reads.ts: a length-prefixed echo whose accepted sockets read one of three
// ways, chosen by argv[3]. Node gives an accepted socket no `onread` option, so the two onread
// variants take the accepted socket's handle (the server pauses on connect, so nothing has been
// read) and wrap it in a new Socket created with `onread`, the one place Node accepts it.
import { rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { LengthPrefixDecoder, lengthPrefix } from "../systems/length-prefix.js";
import { AllocationMeter } from "./large-alloc-server.js";

/** How an accepted socket reads. */
export type ReadPath = "data-events" | "onread-slabs" | "onread-exact";

export const READ_PATHS: readonly ReadPath[] = ["data-events", "onread-slabs", "onread-exact"];

const SLAB_BYTES = 64 * 1024;
const MIN_READ_BYTES = 16 * 1024;

/** As transport-net's ReadSlabs: consecutive regions of a 64 KiB slab, never written twice. */
function slabReads(deliver: (chunk: Buffer) => void) {
  let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  let used = 0;
  return {
    buffer: (): Buffer => {
      if (SLAB_BYTES - used < MIN_READ_BYTES) {
        slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
        used = 0;
      }
      return slab.subarray(used);
    },
    callback: (bytes: number, region: Uint8Array): boolean => {
      used += bytes;
      deliver((region as Buffer).subarray(0, bytes));
      return true;
    },
  };
}

/**
 * Reads each frame's body straight into a buffer of exactly its size: the 4-byte header is read
 * into a small reused buffer, then the next reads fill the body where the handler will read it.
 * No slab, no assembly copy: what the frame decoder could do if it told the socket what it wants.
 */
function exactReads(onFrame: (frame: Buffer) => void) {
  const head = Buffer.allocUnsafeSlow(SLAB_BYTES);
  let headUsed = 0;
  let body: Buffer | undefined;
  let bodyUsed = 0;
  const take = (chunk: Buffer): void => {
    // Small frames and headers arrive in `head`; frames found whole in it are views of it.
    let at = 0;
    while (chunk.length - at >= 4) {
      const length = chunk.readUInt32BE(at);
      if (chunk.length - at - 4 < length) {
        body = Buffer.allocUnsafeSlow(length);
        bodyUsed = chunk.copy(body, 0, at + 4);
        headUsed = 0;
        return;
      }
      // A copy: `head` is read into again at once (only small frames take this path).
      onFrame(Buffer.from(chunk.subarray(at + 4, at + 4 + length)));
      at += 4 + length;
    }
    // A partial header: keep it at the start of `head` for the next read.
    headUsed = chunk.copy(head, 0, at);
  };
  return {
    buffer: (): Buffer => (body === undefined ? head.subarray(headUsed) : body.subarray(bodyUsed)),
    callback: (bytes: number): boolean => {
      if (body === undefined) {
        take(head.subarray(0, headUsed + bytes));
        return true;
      }
      bodyUsed += bytes;
      if (bodyUsed === body.length) {
        const frame = body;
        body = undefined;
        headUsed = 0;
        onFrame(frame);
      }
      return true;
    },
  };
}

/** Answers a frame: header and body in one corked write. */
function echo(socket: Socket, frame: Buffer): void {
  socket.cork();
  socket.write(lengthPrefix(frame.length));
  socket.write(frame);
  socket.uncork();
}

type OnRead = ReturnType<typeof slabReads>;

/** Re-wraps an accepted (paused, unread) socket's handle in a Socket created with `onread`. */
function rewrap(accepted: Socket, reader: (onFrame: (frame: Buffer) => void) => OnRead): void {
  const internals = accepted as unknown as { _handle: unknown };
  const handle = internals._handle;
  internals._handle = null;
  accepted.destroy(); // the server's bookkeeping for it; the handle lives on in the new socket
  let socket: Socket | undefined;
  // The reader exists before the socket: the Socket constructor asks it for the first buffer.
  const onread = reader((frame) => echo(socket!, frame));
  socket = new Socket({ handle, onread } as ConstructorParameters<typeof Socket>[0]);
  socket.on("error", () => socket?.destroy());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [path, how] = [process.argv[2]!, process.argv[3] as ReadPath];
  const server = createServer({ pauseOnConnect: how !== "data-events" }, (accepted) => {
    if (how === "data-events") {
      const decoder = new LengthPrefixDecoder((frame) => echo(accepted, frame));
      accepted.on("data", (chunk: Buffer) => decoder.push(chunk));
      accepted.on("error", () => accepted.destroy());
    } else if (how === "onread-slabs") {
      rewrap(accepted, (onFrame) => {
        const decoder = new LengthPrefixDecoder(onFrame);
        return slabReads((chunk) => decoder.push(chunk));
      });
    } else {
      rewrap(accepted, exactReads);
    }
  });
  rmSync(path, { force: true }); // the previous round's server left its socket file
  server.listen(path, () => process.send?.("ready"));
  const meter = new AllocationMeter();
  let cpu = process.cpuUsage();
  process.on("message", (message) => {
    if (message === "start") {
      meter.start();
      cpu = process.cpuUsage();
      process.send?.("started");
    } else if (message === "stop") {
      const used = process.cpuUsage(cpu);
      void meter.stop().then((bytes) => process.send?.({ bytes, cpuUs: used.user + used.system }));
    } else process.exit(0);
  });
}
