import type { Connection, ConnectionHandlers } from "@parley/framing";
import { describe, expect, it } from "vitest";
import { recordConnection } from "../src/index.js";

/** A connection whose callbacks the test fires by hand. */
function manualConnection(): { connection: Connection; fire: ConnectionHandlers } {
  let handlers: ConnectionHandlers | undefined;
  const connection: Connection = {
    write: () => true,
    bufferedBytes: 0,
    end() {},
    reset() {},
    pause() {},
    resume() {},
    attach: (installed) => {
      handlers = installed;
    },
    remoteAddress: "peer",
    localAddress: "self",
  };
  const fire: ConnectionHandlers = {
    onData: (chunk) => handlers!.onData(chunk),
    onEnd: () => handlers!.onEnd(),
    onDrain: () => handlers!.onDrain(),
    onClose: (error) => handlers!.onClose(error),
  };
  return { connection, fire };
}

describe("connection recorder", () => {
  it("records every callback in order and runs hooks after recording", () => {
    const { connection, fire } = manualConnection();
    const seenByHook: number[] = [];
    const recorder = recordConnection(connection, {
      onData: () => seenByHook.push(recorder.receivedBytes),
    });
    fire.onData(Uint8Array.of(1, 2));
    fire.onDrain();
    fire.onData(Uint8Array.of(3));
    fire.onEnd();
    const error = new Error("gone");
    fire.onClose(error);
    expect(recorder.events.map((event) => event.type)).toEqual([
      "data",
      "drain",
      "data",
      "end",
      "close",
    ]);
    expect([...recorder.received()]).toEqual([1, 2, 3]);
    expect(recorder.counts).toEqual({ ends: 1, drains: 1, closes: 1 });
    expect(recorder.closeError).toBe(error);
    expect(seenByHook).toEqual([2, 3]);
    expect(recorder.violations).toEqual([]);
  });

  it("reports contract breaches: data after end, a second end, anything after close", () => {
    const { connection, fire } = manualConnection();
    const recorder = recordConnection(connection);
    fire.onEnd();
    fire.onData(Uint8Array.of(1));
    fire.onEnd();
    fire.onClose(undefined);
    fire.onDrain();
    fire.onClose(undefined);
    expect(recorder.violations).toEqual([
      "onData after onEnd",
      "onEnd twice",
      "onDrain after onClose",
      "onClose twice",
    ]);
  });

  it("resolves waits once their condition holds, including ones already met", async () => {
    const { connection, fire } = manualConnection();
    const recorder = recordConnection(connection);
    const bytes = recorder.whenBytes(3);
    fire.onData(Uint8Array.of(1, 2));
    fire.onData(Uint8Array.of(3));
    await bytes;
    await recorder.whenBytes(2);
    fire.onDrain();
    fire.onDrain();
    await recorder.whenDrained(2);
    fire.onEnd();
    await recorder.whenEnded();
    fire.onClose(undefined);
    expect(await recorder.whenClosed()).toBeUndefined();
  });

  it("rejects a wait with WAIT_FAILED when the connection ends or closes first", async () => {
    const { connection, fire } = manualConnection();
    const recorder = recordConnection(connection);
    const bytes = recorder.whenBytes(10);
    const ended = recorder.whenEnded();
    fire.onData(Uint8Array.of(1));
    fire.onClose(new Error("reset"));
    await expect(bytes).rejects.toMatchObject({
      code: "WAIT_FAILED",
      message: "connection self -> peer ended after 1 of 10 awaited bytes",
    });
    await expect(ended).rejects.toMatchObject({
      code: "WAIT_FAILED",
      message: expect.stringContaining("closed without onEnd"),
    });
    await expect(recorder.whenDrained()).rejects.toMatchObject({ code: "WAIT_FAILED" });
  });

  it("rejects a wait with WAIT_FAILED after its timeout, saying what had arrived", async () => {
    const { connection, fire } = manualConnection();
    const recorder = recordConnection(connection);
    fire.onData(Uint8Array.of(1, 2));
    await expect(recorder.whenEnded(10)).rejects.toMatchObject({
      code: "WAIT_FAILED",
      name: "RecorderWaitError",
      message:
        "connection self -> peer: no onEnd within 10 ms (received 2 bytes, 0 onEnd, 0 onDrain, 0 onClose)",
    });
  });

  it("forgets chunks on discardChunks() but keeps counting bytes", () => {
    const { connection, fire } = manualConnection();
    const recorder = recordConnection(connection);
    fire.onData(Uint8Array.of(1, 2));
    recorder.discardChunks();
    fire.onData(Uint8Array.of(3));
    expect([recorder.receivedBytes, recorder.chunks.length, [...recorder.received()]]).toEqual([
      3,
      1,
      [3],
    ]);
  });
});
