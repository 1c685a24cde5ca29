/** A Connection wrapper that records every write's chunks (for batching assertions). */
import type { Connection } from "@parley/framing";

export function spyWrites(inner: Connection): { connection: Connection; writes: Uint8Array[][] } {
  const writes: Uint8Array[][] = [];
  const connection: Connection = {
    write: (chunks) => {
      writes.push([...chunks]);
      return inner.write(chunks);
    },
    get bufferedBytes() {
      return inner.bufferedBytes;
    },
    end: () => inner.end(),
    reset: (error) => inner.reset(error),
    pause: () => inner.pause(),
    resume: () => inner.resume(),
    attach: (handlers) => inner.attach(handlers),
    remoteAddress: inner.remoteAddress,
    localAddress: inner.localAddress,
  };
  return { connection, writes };
}
