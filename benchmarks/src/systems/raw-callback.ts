/**
 * The true ceiling: raw node:net's server (the same one as `raw`) and a client that allocates
 * nothing per request. No promise, no closure, no Buffer per request or per reply: the request
 * frames are built once (`concurrency` copies of prefix + payload, back to back), every request
 * issued in one tick leaves in one write of a prebuilt slice of them, and replies are read into one
 * reused buffer (`onread`) and counted, never copied or viewed. What it costs per call is what the
 * kernel and Node's stream plumbing cost; every other system's extra cost is its own.
 */
import { connect, type Socket } from "node:net";
import { PREFIX_BYTES } from "./length-prefix.js";
import { CONNECT_TIMEOUT_MS, closeSocket } from "./net-util.js";
import { system as raw } from "./raw.js";
import type { BenchSystem, CallbackEchoClient, ClientHints, Endpoint } from "./system.js";

const READ_BUFFER_BYTES = 64 * 1024;

class RawCallbackClient implements CallbackEchoClient {
  onReply: (replyBytes: number, failure?: string) => void = () => undefined;
  /** `slices[k]` is k request frames back to back: a batch of k requests is one write of it. */
  private readonly slices: Buffer[] = [];
  private queued = 0;
  private flushScheduled = false;
  // Reply parser state: header bytes still to read, the length being assembled, body bytes left.
  private headerLeft = PREFIX_BYTES;
  private length = 0;
  private bodyLeft = 0;
  private failed = false;
  private socket!: Socket;

  constructor(payloadBytes: number, concurrency: number) {
    const frameBytes = PREFIX_BYTES + payloadBytes;
    const frames = Buffer.allocUnsafeSlow(frameBytes * concurrency);
    for (let i = 0; i < concurrency; i++) {
      const at = i * frameBytes;
      frames.writeUInt32BE(payloadBytes, at);
      for (let j = 0; j < payloadBytes; j++) frames[at + PREFIX_BYTES + j] = (j * 31 + 7) & 0xff;
    }
    for (let k = 0; k <= concurrency; k++) this.slices.push(frames.subarray(0, k * frameBytes));
  }

  /** Connects with a fixed read buffer: every read lands in it and is parsed in place. */
  open(endpoint: Endpoint): Promise<void> {
    const target =
      endpoint.transport === "tcp"
        ? { host: endpoint.host, port: endpoint.port, noDelay: true }
        : { path: endpoint.path };
    const buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("connect timed out")), CONNECT_TIMEOUT_MS);
      this.socket = connect({
        ...target,
        onread: {
          buffer,
          callback: (bytes: number) => {
            this.parse(buffer, bytes);
            return true; // keep reading
          },
        },
      });
      this.socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
        this.fail(error.message);
      });
      this.socket.once("close", () => this.fail("connection closed"));
    });
  }

  send(): void {
    // Slots beyond the prebuilt ones cannot happen: the load generator keeps `concurrency` at most.
    this.queued++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flush);
    }
  }

  close(): Promise<void> {
    this.failed = true;
    return closeSocket(this.socket);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    let left = this.queued;
    this.queued = 0;
    const most = this.slices.length - 1;
    while (left > 0) {
      const batch = Math.min(left, most);
      this.socket.write(this.slices[batch]!);
      left -= batch;
    }
  };

  /** Walks one read: four header bytes, then a body that is only counted. Hot, hence one loop. */
  private parse(buffer: Buffer, bytes: number): void {
    let at = 0;
    while (at < bytes) {
      if (this.headerLeft > 0) {
        this.length = this.length * 256 + buffer[at++]!;
        if (--this.headerLeft > 0) continue;
        this.bodyLeft = this.length;
      } else {
        const take = Math.min(this.bodyLeft, bytes - at);
        this.bodyLeft -= take;
        at += take;
      }
      if (this.bodyLeft === 0) {
        const length = this.length;
        this.headerLeft = PREFIX_BYTES;
        this.length = 0;
        this.onReply(length);
      }
    }
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.onReply(-1, reason);
  }
}

async function createClient(endpoint: Endpoint, hints: ClientHints): Promise<CallbackEchoClient> {
  const client = new RawCallbackClient(hints.payloadBytes, hints.concurrency);
  await client.open(endpoint);
  return client;
}

/** Raw node:net's server with the callback client: the ceiling every goal is stated against. */
export const system: BenchSystem = {
  name: "raw-callback",
  transports: ["tcp", "unix"],
  startServer: raw.startServer,
  createClient,
};
