import type { Connection } from "@parley/framing";
import { expect } from "vitest";
import { firstDifference } from "./byte-diff.js";
import {
  type ConformanceTarget,
  noise,
  resolveTarget,
  settle,
  slices,
  withPair,
} from "./conformance-target.js";
import { recordConnection } from "./connection-recorder.js";

/** One conformance check: a behaviour sentence and a function that fails when it does not hold. */
export interface ConformanceCheck {
  /** The behaviour checked, as a sentence; also the vitest test name. */
  readonly name: string;
  /** Opens a pair from `target`, checks, closes the pair; rejects when the behaviour fails. */
  run(target: ConformanceTarget): Promise<void>;
}

const echo = (chunk: Uint8Array, connection: Connection) => {
  connection.write([chunk]);
};

/** Bytes the backpressure check wants queued in user space before it believes the OS is full. */
const BACKPRESSURE_QUEUED_BYTES = 1024 * 1024;
/** ...and how much it writes at most while waiting for that (kernel buffers can be large). */
const BACKPRESSURE_MAX_WRITTEN_BYTES = 64 * 1024 * 1024;

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const echoCheck: ConformanceCheck = {
  name: "echo: bytes written by the client come back from an echoing server unchanged",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const { waitTimeoutMs } = resolveTarget(target);
      recordConnection(server, { onData: echo });
      const back = recordConnection(client);
      const payload = noise(10_000, 1);
      client.write([payload.subarray(0, 1)]);
      client.write(slices(payload.subarray(1), 999));
      await back.whenBytes(payload.length, waitTimeoutMs);
      expect(firstDifference(back.received(), payload), "first corrupted offset").toBe(-1);
      await settle();
      expect(client.bufferedBytes, "client bufferedBytes once all is delivered").toBe(0);
      expect(typeof client.remoteAddress === "string" && client.remoteAddress.length > 0).toBe(
        true,
      );
      expect(typeof server.localAddress === "string" && server.localAddress.length > 0).toBe(true);
    }),
};

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const orderingCheck: ConformanceCheck = {
  name: "one write's chunks arrive in order as one batch, never interleaved with other writes",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const { waitTimeoutMs } = resolveTarget(target);
      const atServer = recordConnection(server);
      const atClient = recordConnection(client);
      // Both directions at once: full duplex must not mix one side's writes into the other's.
      const upstream = writeBatches(client, 1);
      const downstream = writeBatches(server, 2);
      await atServer.whenBytes(upstream.length, waitTimeoutMs);
      await atClient.whenBytes(downstream.length, waitTimeoutMs);
      expect(firstDifference(atServer.received(), upstream), "client -> server").toBe(-1);
      expect(firstDifference(atClient.received(), downstream), "server -> client").toBe(-1);
    }),
};

/** Writes 200 batches of 1 to 5 distinct chunks in one turn; returns the bytes in write order. */
function writeBatches(connection: Connection, seed: number): Buffer {
  const all = noise(200 * 5 * 37, seed);
  const written: Uint8Array[] = [];
  let at = 0;
  for (let batch = 0; batch < 200; batch++) {
    const chunks = slices(all.subarray(at, at + 37 * (1 + (batch % 5))), 37);
    at += 37 * chunks.length;
    connection.write(chunks);
    written.push(...chunks);
  }
  return Buffer.concat(written);
}

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const largePayloadCheck: ConformanceCheck = {
  name: "a large payload (8 MiB by default) crosses intact to an echoing server and back",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const { largePayloadBytes, waitTimeoutMs } = resolveTarget(target);
      const payload = noise(largePayloadBytes, 3);
      const atServer = recordConnection(server, { onData: echo });
      const back = recordConnection(client);
      client.write(slices(payload, 256 * 1024));
      await back.whenBytes(payload.length, waitTimeoutMs * 4);
      expect(atServer.receivedBytes).toBe(payload.length);
      expect(firstDifference(back.received(), payload), "first corrupted offset").toBe(-1);
    }),
};

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const attachBeforeReadCheck: ConformanceCheck = {
  name: "nothing is read before attach(): bytes and the end sent earlier arrive after it",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const { waitTimeoutMs } = resolveTarget(target);
      recordConnection(client);
      const payload = noise(3000, 4);
      client.write([payload.subarray(0, 1000)]);
      client.write([payload.subarray(1000)]);
      client.end();
      // Give a transport that reads too early every chance to lose these bytes.
      await settle(50);
      const atServer = recordConnection(server);
      await atServer.whenEnded(waitTimeoutMs);
      expect(firstDifference(atServer.received(), payload), "first lost or changed offset").toBe(
        -1,
      );
    }),
};

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const backpressureCheck: ConformanceCheck = {
  name: "backpressure: a paused reader makes write() return false and bufferedBytes grow; resume() brings onDrain",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const { waitTimeoutMs } = resolveTarget(target);
      const atServer = recordConnection(server);
      const atClient = recordConnection(client);
      server.pause();
      const chunk = noise(64 * 1024, 5);
      let written = 0;
      // Write until a backlog survives a pause: only then have the OS, and anything between the two
      // ends, stopped taking bytes (kernel buffers autotune to megabytes).
      do {
        while (client.bufferedBytes < BACKPRESSURE_QUEUED_BYTES) {
          expect(written, "bytes written without bufferedBytes growing").toBeLessThan(
            BACKPRESSURE_MAX_WRITTEN_BYTES,
          );
          client.write([chunk]);
          written += chunk.length;
          if (written % (1024 * 1024) === 0) await settle(1, 1);
        }
        await settle();
      } while (client.bufferedBytes < BACKPRESSURE_QUEUED_BYTES);
      const queued = client.bufferedBytes;
      const drainsBefore = atClient.counts.drains;
      expect(client.write([chunk]), "write() while the reader is paused").toBe(false);
      written += chunk.length;
      expect(client.bufferedBytes, "bufferedBytes after one more write").toBeGreaterThan(queued);
      expect(atServer.receivedBytes, "bytes delivered to the paused reader").toBe(0);
      server.resume();
      await atClient.whenDrained(drainsBefore + 1, waitTimeoutMs * 4);
      await atServer.whenBytes(written, waitTimeoutMs * 4);
      await settle();
      expect(client.bufferedBytes, "bufferedBytes once everything arrived").toBe(0);
    }),
};
