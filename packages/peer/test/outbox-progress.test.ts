import type { Connection } from "@parley/framing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Outbox } from "../src/outbox.js";

/** A connection whose buffer level and write() answers the test sets by hand. */
function scriptedConnection() {
  const state = { bufferedBytes: 0, accept: true };
  const connection: Connection = {
    write: () => state.accept,
    get bufferedBytes() {
      return state.bufferedBytes;
    },
    end() {},
    reset() {},
    pause() {},
    resume() {},
    attach() {},
    remoteAddress: "scripted",
    localAddress: "scripted",
  };
  return { connection, state };
}

function setup(slowMs: number) {
  const { connection, state } = scriptedConnection();
  const events = { writable: 0, flushed: 0, slow: 0 };
  const counters = { writes: 0, framesSent: 0, bytesSent: 0 };
  const outbox = new Outbox(
    connection,
    1_000_000,
    slowMs,
    {
      onWritable: () => events.writable++,
      onFlushed: () => events.flushed++,
      onSlowConsumer: () => events.slow++,
    },
    counters,
  );
  return { outbox, state, events };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Outbox under steady load", () => {
  it("unblocks when a later write finds the buffer below the mark, with no drain event", () => {
    const { outbox, state, events } = setup(10_000);
    state.accept = false;
    outbox.push(new Uint8Array(100));
    outbox.flush();
    expect(outbox.blocked).toBe(true);
    state.accept = true;
    outbox.push(new Uint8Array(100)); // e.g. a response, which goes out while blocked
    outbox.flush();
    expect(outbox.blocked).toBe(false);
    expect(events.writable).toBe(1);
    outbox.close();
  });

  it("does not call a remote slow while bytes keep leaving the buffer, however long it stays above the mark", () => {
    vi.useFakeTimers();
    const { outbox, state, events } = setup(1_000);
    state.accept = false;
    for (let step = 0; step < 60; step++) {
      // Every half second 1000 more bytes are written and 1000 leave: the buffer stays at the mark.
      state.bufferedBytes = 1_000;
      outbox.push(new Uint8Array(1_000));
      outbox.flush();
      vi.advanceTimersByTime(500);
    }
    expect(events.slow).toBe(0);
    expect(outbox.blocked).toBe(true);
    outbox.close();
  });

  it("calls a remote slow once no byte has left the buffer for slowConsumerTimeoutMs", () => {
    vi.useFakeTimers();
    const { outbox, state, events } = setup(1_000);
    state.accept = false;
    state.bufferedBytes = 1_000; // written, and nothing leaves
    outbox.push(new Uint8Array(1_000));
    outbox.flush();
    vi.advanceTimersByTime(999);
    expect(events.slow).toBe(0);
    vi.advanceTimersByTime(1);
    expect(events.slow).toBe(1);
    outbox.close();
  });
});
