import type { Connection, ConnectionHandlers } from "@parley/framing";
import { type ConformanceTarget, createMemoryPair, type MemoryConnection } from "../src/index.js";

/** One way a connection can break the `Connection` contract. */
export type Fault =
  | "none"
  | "reads-before-attach"
  | "reorders-chunks"
  | "corrupts-large-writes"
  | "never-refuses-writes"
  | "never-drains"
  | "swallows-end"
  | "closes-twice"
  | "errors-on-clean-close"
  | "silent-reset"
  | "forgets-reset-error"
  | "throws-after-close"
  | "delivers-while-paused";

/** Wraps one end of a memory pair and breaks exactly one rule of the contract. */
class FaultyConnection implements Connection {
  #handlers: ConnectionHandlers | undefined;
  /** What arrived before the owner attached: chunks, then maybe the end and the close. */
  #held: Uint8Array[] = [];
  #heldEnd = false;
  #heldClose: { error: Error | undefined } | undefined;

  constructor(
    private readonly inner: MemoryConnection,
    private readonly fault: Fault,
  ) {
    // Attach at once so bytes flow before the owner attaches, to be dropped or held.
    inner.attach({
      onData: (chunk) => this.#onData(chunk),
      onEnd: () => {
        if (fault === "swallows-end") return;
        if (this.#handlers) this.#handlers.onEnd();
        else this.#heldEnd = true;
      },
      onDrain: () => {
        if (fault !== "never-drains") this.#handlers?.onDrain();
      },
      onClose: (error) => this.#onClose(error),
    });
  }

  get bufferedBytes(): number {
    return this.inner.bufferedBytes;
  }
  get remoteAddress(): string {
    return this.inner.remoteAddress;
  }
  get localAddress(): string {
    return this.inner.localAddress;
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.fault === "throws-after-close" && this.inner.closed) throw new Error("closed");
    let batch = chunks;
    if (this.fault === "reorders-chunks") batch = [...chunks].reverse();
    if (this.fault === "corrupts-large-writes" && chunks.length > 2) {
      const copy = Uint8Array.from(chunks[2]!);
      copy[0] = (copy[0] ?? 0) ^ 1;
      batch = [...chunks.slice(0, 2), copy, ...chunks.slice(3)];
    }
    const accepted = this.inner.write(batch);
    return this.fault === "never-refuses-writes" && !this.inner.closed ? true : accepted;
  }

  end(): void {
    this.inner.end();
  }

  reset(error?: Error): void {
    if (this.fault === "silent-reset") this.#silentReset();
    else this.inner.reset(this.fault === "forgets-reset-error" ? undefined : error);
  }

  pause(): void {
    if (this.fault !== "delivers-while-paused") this.inner.pause();
  }

  resume(): void {
    this.inner.resume();
  }

  attach(handlers: ConnectionHandlers): void {
    this.#handlers = handlers;
    const held = this.#held;
    this.#held = [];
    if (this.fault !== "reads-before-attach") for (const chunk of held) handlers.onData(chunk);
    if (this.#heldEnd) handlers.onEnd();
    if (this.#heldClose) this.#onClose(this.#heldClose.error);
  }

  #onData(chunk: Uint8Array): void {
    if (!this.#handlers) this.#held.push(chunk);
    else this.#handlers.onData(chunk);
  }

  #onClose(error: Error | undefined): void {
    const handlers = this.#handlers;
    if (!handlers) {
      this.#heldClose = { error };
      return;
    }
    const reported = this.fault === "errors-on-clean-close" && !error ? new Error("oops") : error;
    handlers.onClose(reported);
    if (this.fault === "closes-twice") handlers.onClose(reported);
  }

  /** Closes like a clean end instead of a reset, so the peer never learns of an abort. */
  #silentReset(): void {
    this.inner.end();
  }
}

/** A conformance target whose pairs break one rule (both ends of the pair are faulty). */
export function faultyTarget(fault: Fault): ConformanceTarget {
  return {
    name: `memory (${fault})`,
    largePayloadBytes: 1024 * 1024,
    waitTimeoutMs: 300,
    async openPair() {
      const [a, b] = createMemoryPair();
      return {
        client: new FaultyConnection(a, fault),
        server: new FaultyConnection(b, fault),
        async close() {
          a.reset();
        },
      };
    },
  };
}
