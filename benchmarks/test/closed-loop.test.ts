import { describe, expect, it } from "vitest";
import { makePayload, runClosedLoop } from "../src/e2e/closed-loop.js";
import type { EchoClient } from "../src/systems/system.js";

/** An in-process echo that answers on the next turn of the event loop. */
function echoClient(
  reply: (payload: Uint8Array) => Uint8Array = (p) => p,
): EchoClient & { calls: number; inFlight: number; maxInFlight: number } {
  const client = {
    calls: 0,
    inFlight: 0,
    maxInFlight: 0,
    echo(payload: Uint8Array): Promise<Uint8Array> {
      client.calls++;
      client.inFlight++;
      client.maxInFlight = Math.max(client.maxInFlight, client.inFlight);
      return new Promise((resolve) =>
        setImmediate(() => {
          client.inFlight--;
          resolve(reply(payload));
        }),
      );
    },
    close: async () => undefined,
  };
  return client;
}

const base = { payload: makePayload(16), warmupMs: 1, warmupRequests: 20, durationMs: 60_000 };

describe("runClosedLoop", () => {
  it("stops the measured window at maxRequests and keeps concurrency requests in flight", async () => {
    const client = echoClient();
    const edges: string[] = [];
    const result = await runClosedLoop(client, {
      ...base,
      concurrency: 8,
      maxRequests: 500,
      onWindow: (edge) => edges.push(edge),
    });
    expect(result.completed).toBe(500);
    expect(result.histogram.count).toBe(500);
    expect(result.errors).toBe(0);
    expect(result.elapsedMs).toBeGreaterThan(0);
    expect(client.maxInFlight).toBe(8);
    expect(client.inFlight).toBe(0); // drained before returning
    expect(edges).toEqual(["open", "close"]);
    // warm-up (one per worker at least, 20 at most) + window (500) + the drain (one per worker)
    expect(client.calls).toBeGreaterThanOrEqual(8 + 500);
    expect(client.calls).toBeLessThanOrEqual(20 + 500 + 8);
  });

  it("counts replies of the wrong length as errors, not completions", async () => {
    const client = echoClient((payload) => payload.subarray(1));
    const result = await runClosedLoop(client, {
      ...base,
      concurrency: 2,
      durationMs: 20,
      maxRequests: 100,
    });
    expect(result.completed).toBe(0);
    expect(result.errors).toBeGreaterThan(0);
    expect(result.firstError).toBe("echo returned 15 bytes for 16");
  });

  it("ends promptly when every call fails at once", async () => {
    const failing: EchoClient = {
      echo: () => Promise.reject(new Error("connection refused")),
      close: async () => undefined,
    };
    const result = await runClosedLoop(failing, {
      ...base,
      concurrency: 4,
      durationMs: 20,
      maxRequests: 1_000,
    });
    expect(result.completed).toBe(0);
    expect(result.firstError).toBe("connection refused");
    expect(result.errors).toBeGreaterThan(0);
  });
});

describe("makePayload", () => {
  it("fills the payload with varied bytes", () => {
    const payload = makePayload(1024);
    expect(payload.byteLength).toBe(1024);
    expect(new Set(payload).size).toBeGreaterThan(200);
  });
});
