import {
  expectNoLeakedHandles,
  generateTestCertificates,
  type HandleSnapshot,
  recordConnection,
  snapshotHandles,
} from "@parley/testkit";
import type { SocketConnection } from "@parley/transport-net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTo, echoServer } from "./helpers/tls-servers.js";

// The conformance suite runs every order of end() and reset() through the Connection API; these
// add what only the TLS socket underneath can do: fail with an error, or be destroyed by someone
// else, in any order with end() and reset().

type Action = "end" | "reset" | "error" | "destroy";

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

function pause(spacing: string): Promise<void> | undefined {
  if (spacing === "next tick") return new Promise((resolve) => process.nextTick(resolve));
  if (spacing === "next turn") return new Promise((resolve) => setImmediate(resolve));
  return undefined;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const certs = generateTestCertificates();
let before: HandleSnapshot;
beforeAll(() => {
  before = snapshotHandles();
});
// Every socket gave its descriptor back: a wedged close keeps one open for good.
afterAll(() => expectNoLeakedHandles(before));

describe("a TLS SocketConnection", () => {
  for (const spacing of ["same tick", "next tick", "next turn"]) {
    it(`closes once, whatever the order of end, reset, socket error and destroy (${spacing})`, async () => {
      const { listener, accepted } = await echoServer(certs);
      for (const order of permutations(["end", "reset", "error", "destroy"])) {
        const client = await connectTo(listener, certs);
        const atClient = recordConnection(client);
        const label = `${order.join(", ")} (${spacing})`;
        await until(() => accepted.length > 0, `${label}: the server's accept`);
        const server = accepted.shift()!;
        client.write([Buffer.from("bytes in flight")]);
        for (const action of order) {
          apply(action, client);
          await pause(spacing);
        }
        await atClient.whenClosed().catch((cause: unknown) => {
          throw new Error(`${label}: the client never closed`, { cause });
        });
        await until(() => server.closed, `${label}: the server's close`);
        expect(atClient.violations, label).toEqual([]);
        expect(atClient.counts.closes, label).toBe(1);
      }
      await listener.close();
    }, 60_000);
  }
});
