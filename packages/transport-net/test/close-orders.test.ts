import {
  applyCloseAction,
  CLOSE_ACTIONS,
  CLOSE_SPACINGS,
  closePause,
  expectNoLeakedHandles,
  type HandleSnapshot,
  permutations,
  recordConnection,
  snapshotHandles,
} from "@parley/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noise, tcpPair, unixPair } from "./helpers/sockets.js";

// The transport conformance suite runs every order of end() and reset() through the Connection
// API; these add what only the socket underneath can do: fail with an error, or be destroyed by
// someone else, in any order with end() and reset().

let before: HandleSnapshot;
beforeAll(() => {
  before = snapshotHandles();
});
// Every socket gave its descriptor back: a wedged close keeps one open for good.
afterAll(() => expectNoLeakedHandles(before));

describe.each([
  ["tcp", tcpPair],
  ["unix", () => unixPair()],
] as const)("SocketConnection over %s", (_kind, openPair) => {
  for (const spacing of CLOSE_SPACINGS) {
    it(`closes once, whatever the order of end, reset, socket error and destroy (${spacing})`, async () => {
      for (const order of permutations(CLOSE_ACTIONS)) {
        const pair = await openPair();
        try {
          const atClient = recordConnection(pair.client);
          const atServer = recordConnection(pair.server, { onEnd: (c) => c.end() });
          pair.client.write([noise(300, 3)]);
          for (const action of order) {
            applyCloseAction(action, pair.client);
            await closePause(spacing);
          }
          const label = `${order.join(", ")} (${spacing})`;
          await atClient.whenClosed().catch((cause: unknown) => {
            throw new Error(`${label}: the client never closed`, { cause });
          });
          await atServer.whenClosed().catch((cause: unknown) => {
            throw new Error(`${label}: the server never closed`, { cause });
          });
          expect(atClient.violations, label).toEqual([]);
          expect(atClient.counts.closes, label).toBe(1);
          expect(pair.client.socket.destroyed, label).toBe(true);
        } finally {
          await pair.close();
        }
      }
    }, 60_000);
  }
});
