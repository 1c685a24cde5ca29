import type { Connection } from "@parley/framing";
import { expect } from "vitest";
import type { ConformanceCheck } from "./conformance-data-checks.js";
import {
  noise,
  type ResolvedTarget,
  resolveTarget,
  settle,
  withPair,
} from "./conformance-target.js";
import { type ConnectionRecorder, recordConnection } from "./connection-recorder.js";

const endOnEnd = (connection: Connection) => connection.end();
const types = (recorder: ConnectionRecorder) => recorder.events.map((event) => event.type);

/** Asserts the close was the single last event and the recorder saw no contract breach. */
function expectClosedOnceLast(recorder: ConnectionRecorder, side: string): void {
  expect(recorder.violations, `${side} contract breaches`).toEqual([]);
  expect(recorder.counts.closes, `${side} onClose count`).toBe(1);
  expect(types(recorder).at(-1), `${side} last event`).toBe("close");
}

/** Asserts the peer's close reports a reset (where the transport makes resets visible). */
function expectResetSeen(error: Error | undefined, options: ResolvedTarget): void {
  if (!options.resetIsVisibleToPeer) return;
  expect(error, "the peer's onClose error after reset()").toBeInstanceOf(Error);
  expect(options.resetErrorCodes, "the peer's onClose error code").toContain(
    (error as Error & { code?: unknown }).code,
  );
}

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const halfCloseCheck: ConformanceCheck = {
  name: "half-close: after the client's end() the server sees onEnd, can still reply, then both close without an error",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const { waitTimeoutMs } = resolveTarget(target);
      const atServer = recordConnection(server);
      const atClient = recordConnection(client);
      const request = noise(5000, 6);
      const reply = noise(7000, 7);
      client.write([request]);
      client.end();
      expect(client.write([reply]), "write() after end()").toBe(false);
      await atServer.whenEnded(waitTimeoutMs);
      expect(atServer.received().equals(request), "exactly the bytes before end()").toBe(true);
      server.write([reply]);
      server.end();
      await atClient.whenEnded(waitTimeoutMs);
      expect(atClient.received().equals(reply), "reply bytes after the client's end").toBe(true);
      expect(await atClient.whenClosed(waitTimeoutMs), "client onClose error").toBeUndefined();
      expect(await atServer.whenClosed(waitTimeoutMs), "server onClose error").toBeUndefined();
      expectClosedOnceLast(atClient, "client");
      expectClosedOnceLast(atServer, "server");
    }),
};

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const resetMidFrameCheck: ConformanceCheck = {
  name: "reset mid-frame: the peer's onClose reports the reset and nothing hangs",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const options = resolveTarget(target);
      // The server ends when the client does, as an engine would, so no transport can hang here.
      const atServer = recordConnection(server, { onEnd: endOnEnd });
      const atClient = recordConnection(client);
      const header = Buffer.from([0, 0, 0x03, 0xe8]); // a length prefix promising 1000 bytes...
      client.write([header, noise(10, 8)]); // ...of which only 10 are ever sent
      await atServer.whenBytes(14, options.waitTimeoutMs);
      const reason = new Error("conformance: abort mid-frame");
      client.reset(reason);
      expect(await atClient.whenClosed(options.waitTimeoutMs), "resetting side's onClose").toBe(
        reason,
      );
      expectResetSeen(await atServer.whenClosed(options.waitTimeoutMs), options);
      expect(() => server.write([noise(10, 9)]), "write() after the close").not.toThrow();
      await settle();
      expectClosedOnceLast(atClient, "client");
      expectClosedOnceLast(atServer, "server");
    }),
};

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const cleanCloseCheck: ConformanceCheck = {
  name: "close vs destroy: end() on both sides at once closes each with onClose() and no error",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const { waitTimeoutMs } = resolveTarget(target);
      const atServer = recordConnection(server);
      const atClient = recordConnection(client);
      client.write([noise(100, 10)]);
      server.write([noise(100, 11)]);
      client.end();
      server.end();
      expect(await atClient.whenClosed(waitTimeoutMs), "client onClose error").toBeUndefined();
      expect(await atServer.whenClosed(waitTimeoutMs), "server onClose error").toBeUndefined();
      expect([atClient.receivedBytes, atServer.receivedBytes], "bytes before the ends").toEqual([
        100, 100,
      ]);
      expect([atClient.counts.ends, atServer.counts.ends], "onEnd counts").toEqual([1, 1]);
    }),
};

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const resetCloseCheck: ConformanceCheck = {
  name: "close vs destroy: the server's reset() closes it with its own error and the client with a reset error",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const options = resolveTarget(target);
      const atServer = recordConnection(server);
      const atClient = recordConnection(client, { onEnd: endOnEnd });
      client.write([noise(100, 12)]);
      await atServer.whenBytes(100, options.waitTimeoutMs);
      server.reset();
      expect(await atServer.whenClosed(options.waitTimeoutMs), "reset() without an error").toBe(
        undefined,
      );
      expectResetSeen(await atClient.whenClosed(options.waitTimeoutMs), options);
    }),
};

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const closeOnceCheck: ConformanceCheck = {
  name: "onClose fires exactly once and last; end(), reset() and write() after it neither throw nor deliver",
  run: (target) =>
    withPair(target, async ({ client, server }) => {
      const { waitTimeoutMs } = resolveTarget(target);
      const atServer = recordConnection(server, { onEnd: endOnEnd });
      const atClient = recordConnection(client);
      client.write([noise(10, 13)]);
      client.end();
      await atClient.whenClosed(waitTimeoutMs);
      await atServer.whenClosed(waitTimeoutMs);
      for (const connection of [client, server]) {
        expect(() => connection.end(), "end() after close").not.toThrow();
        expect(() => connection.reset(new Error("late")), "reset() after close").not.toThrow();
        let accepted: boolean | undefined;
        expect(() => {
          accepted = connection.write([noise(10, 14)]);
        }, "write() after close").not.toThrow();
        expect(accepted, "write() after close").toBe(false);
        expect(() => connection.pause(), "pause() after close").not.toThrow();
        expect(() => connection.resume(), "resume() after close").not.toThrow();
      }
      await settle(50);
      expectClosedOnceLast(atClient, "client");
      expectClosedOnceLast(atServer, "server");
      expect(types(atClient), "client events").toEqual(["end", "close"]);
    }),
};
