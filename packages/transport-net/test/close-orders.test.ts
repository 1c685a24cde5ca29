import {
  expectNoLeakedHandles,
  type HandleSnapshot,
  recordConnection,
  snapshotHandles,
} from "@parley/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SocketConnection } from "../src/index.js";
import { noise, tcpPair, unixPair } from "./helpers/sockets.js";

// The transport conformance suite runs every order of end() and reset() through the Connection
// API; these add what only the socket underneath can do: fail with an error, or be destroyed by
// someone else, in any order with end() and reset().

type Action = "end" | "reset" | "error" | "destroy";
type Spacing = "same tick" | "next tick" | "next turn";

const ACTIONS: readonly Action[] = ["end", "reset", "error", "destroy"];

function permutations(items: readonly Action[]): Action[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

function apply(action: Action, connection: SocketConnection): void {
  if (action === "end") connection.end();
  else if (action === "reset") connection.reset(new Error("test: reset"));
  else if (action === "error") connection.socket.destroy(new Error("test: socket error"));
  else connection.socket.destroy();
}

function pause(spacing: Spacing): Promise<void> | undefined {
  if (spacing === "next tick") return new Promise((resolve) => process.nextTick(resolve));
  if (spacing === "next turn") return new Promise((resolve) => setImmediate(resolve));
  return undefined;
}

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
  for (const spacing of ["same tick", "next tick", "next turn"] as const) {
    it(`closes once, whatever the order of end, reset, socket error and destroy (${spacing})`, async () => {
      for (const order of permutations(ACTIONS)) {
        const pair = await openPair();
        try {
          const atClient = recordConnection(pair.client);
          const atServer = recordConnection(pair.server, { onEnd: (c) => c.end() });
          pair.client.write([noise(300, 3)]);
          for (const action of order) {
            apply(action, pair.client);
            await pause(spacing);
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
