import { createMsgpackCodec } from "@parley/codec";
import { createBinaryWireFormat } from "@parley/peer";
import { Kind } from "@parley/peer/internal";
import { describe, expect, it } from "vitest";
import { measureRaw, measureRawApart } from "../src/e2e/raw-frames.js";
import { measureFloor, writeFrame } from "../src/e2e/stream-floor.js";

const socketPath = () =>
  `/tmp/pfloor-${process.pid}-${Math.random().toString(16).slice(2, 8)}.sock`;

describe("the yardsticks of bench:streams", () => {
  it.each([1, 255, 1_024, 70_000])(
    "frames a %i-byte item exactly as Parley frames a stream item",
    (size) => {
      const item = new Uint8Array(size).map((_, i) => i % 251);
      const wire = createBinaryWireFormat(createMsgpackCodec(), {
        maxFrameBytes: 1 << 20,
        streams: true,
      });
      const parley = wire.encode({
        kind: Kind.Response,
        id: 0,
        status: 0,
        body: item,
        more: true,
      } as never);
      const out = new Uint8Array(parley.length + 3).fill(0xaa); // memory that held other bytes
      expect(writeFrame(out, 3, item)).toBe(out.length);
      expect(Buffer.from(out.subarray(3)).equals(Buffer.from(parley))).toBe(true);
    },
  );

  it.each(["unix", "tcp"])(
    "moves every item, as raw node:net moves every frame (%s)",
    async (transport) => {
      const address = () => (transport === "tcp" ? "tcp" : socketPath());
      for (const size of [1_024, 65_536]) {
        const floor = await measureFloor(address(), size, 640);
        const raw = await measureRaw(address(), size, 640);
        expect(floor.frames).toBe(640);
        expect(raw.frames).toBe(640);
        expect(floor.cpuUsPerFrame).toBeGreaterThan(0);
        expect(floor.framesPerSec).toBeGreaterThan(0);
      }
    },
  );

  it("runs raw node:net in a process of its own and reports what it moved there", async () => {
    const apart = await measureRawApart(socketPath(), 1_024, 640);
    expect(apart.frames).toBe(640);
    expect(apart.cpuUsPerFrame).toBeGreaterThan(0);
    expect(apart.framesPerSec).toBeGreaterThan(0);
  });
});
