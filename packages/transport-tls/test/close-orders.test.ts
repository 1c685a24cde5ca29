import {
  applyCloseAction,
  CLOSE_ACTIONS,
  CLOSE_SPACINGS,
  closePause,
  expectNoLeakedHandles,
  generateTestCertificates,
  type HandleSnapshot,
  permutations,
  recordConnection,
  snapshotHandles,
} from "@parley/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectTo, echoServer } from "./helpers/tls-servers.js";

// The conformance suite runs every order of end() and reset() through the Connection API; these
// add what only the TLS socket underneath can do: fail with an error, or be destroyed by someone
// else, in any order with end() and reset().

const WAIT = { timeout: 5_000, interval: 2 };
const certs = generateTestCertificates();
let before: HandleSnapshot;
beforeAll(() => {
  before = snapshotHandles();
});
// Every socket gave its descriptor back: a wedged close keeps one open for good.
afterAll(() => expectNoLeakedHandles(before));

describe("a TLS SocketConnection", () => {
  for (const spacing of CLOSE_SPACINGS) {
    it(`closes once, whatever the order of end, reset, socket error and destroy (${spacing})`, async () => {
      const { listener, accepted } = await echoServer(certs);
      for (const order of permutations(CLOSE_ACTIONS)) {
        const client = await connectTo(listener, certs);
        const atClient = recordConnection(client);
        const label = `${order.join(", ")} (${spacing})`;
        await vi
          .waitUntil(() => accepted.length > 0, WAIT)
          .catch((cause: unknown) => {
            throw new Error(`${label}: the server's accept within 5000 ms`, { cause });
          });
        const server = accepted.shift()!;
        client.write([Buffer.from("bytes in flight")]);
        for (const action of order) {
          applyCloseAction(action, client);
          await closePause(spacing);
        }
        await atClient.whenClosed().catch((cause: unknown) => {
          throw new Error(`${label}: the client never closed`, { cause });
        });
        await vi
          .waitUntil(() => server.closed, WAIT)
          .catch((cause: unknown) => {
            throw new Error(`${label}: the server's close within 5000 ms`, { cause });
          });
        expect(atClient.violations, label).toEqual([]);
        expect(atClient.counts.closes, label).toBe(1);
      }
      await listener.close();
    }, 60_000);
  }
});
