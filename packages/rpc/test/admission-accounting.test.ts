import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import { Admission } from "../src/admission.js";

/**
 * A server-side connection under `admission`, its peer stand-in, and the remote end to write to,
 * which collects what the server sends and ends when the server does.
 */
function admitted(admission: Admission) {
  const [remote, local] = createMemoryPair();
  const ticket = admission.enter(local);
  const received: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  const closed: (Error | undefined)[] = [];
  ticket.bind({ destroy: (error) => local.reset(error) });
  local.attach({
    onData: (chunk) => received.push(chunk),
    onEnd() {},
    onDrain() {},
    onClose: (error) => closed.push(error),
  });
  remote.attach({
    onData: (chunk) => sent.push(chunk),
    onEnd: () => remote.end(),
    onDrain() {},
    onClose() {},
  });
  const text = () => Buffer.concat(sent).toString("latin1");
  return { remote, ticket, received, closed, text };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe("Admission accounting", () => {
  it("returns to 0 bytes after connections are dropped for a chunk that announces too large a frame", async () => {
    const admission = new Admission(
      { maxHandshakingConnections: 10, maxPreHelloBytes: 100_000, maxHandshakingBytes: 1_000_000 },
      { dropped() {} },
    );
    const chunk = new Uint8Array(65_536);
    chunk.set([0x00, 0x10, 0x00, 0x00]); // announces a 1 MiB frame
    const connections = [admitted(admission), admitted(admission), admitted(admission)];
    for (const c of connections) c.remote.write([chunk]);
    // The refusal goes out, the remote ends in turn, the connection closes: wait for all of it.
    await until(() => connections.every((c) => c.closed.length === 1));
    for (const c of connections) {
      // Refused in words (refusal Hello, HelloAck refuse), then closed once the remote went.
      expect(c.text()).toContain("PRLY");
      expect(c.text()).toContain("MESSAGE_TOO_LARGE");
      expect(c.closed).toHaveLength(1);
      expect(c.received).toEqual([]); // the chunk never reached the peer
    }
    expect(admission.refusing).toBe(0);
    expect(admission.size).toBe(0);
    expect(admission.bytes).toBe(0);
  });

  it("counts what handshaking connections hold and releases it when they are admitted or leave", async () => {
    const admission = new Admission(
      { maxHandshakingConnections: 10, maxPreHelloBytes: 4_096, maxHandshakingBytes: 100_000 },
      { dropped() {} },
    );
    const a = admitted(admission);
    const b = admitted(admission);
    const part = new Uint8Array(1_000);
    part.set([0, 0, 0x07, 0xd0]); // announces 2000 bytes, sends 996 of them
    a.remote.write([part]);
    b.remote.write([part]);
    await tick();
    expect(admission.bytes).toBe(2_000);
    a.ticket.admitted();
    expect(admission.bytes).toBe(1_000);
    b.ticket.left();
    expect(admission.bytes).toBe(0);
    expect(admission.size).toBe(0);
    // Once admitted, bytes pass unchecked and uncounted.
    a.remote.write([new Uint8Array(10_000)]);
    await tick();
    expect(a.received.reduce((n, c) => n + c.length, 0)).toBe(11_000);
    expect(admission.bytes).toBe(0);
  });
});
