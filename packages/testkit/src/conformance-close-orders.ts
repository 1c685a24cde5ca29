import type { Connection } from "@parley/framing";
import { expect } from "vitest";
import type { ConformanceCheck } from "./conformance-data-checks.js";
import { noise, resolveTarget, settle, withPair } from "./conformance-target.js";
import { type ConnectionRecorder, recordConnection } from "./connection-recorder.js";

/**
 * The close path must not wedge whatever order `end()` and `reset()` come in on either side: libuv
 * refuses a TCP reset while a shutdown (FIN) is in flight, and a transport that passes that refusal
 * on never emits `close` and keeps the descriptor. A remote reset reaches the other side as a
 * socket error, so "error" orders are covered too.
 */

/**
 * One way to close a connection: its own `end()` or `reset()`, or, for one backed by a socket, the
 * socket failing with an error or being destroyed by someone else.
 */
export type CloseAction = "end" | "reset" | "error" | "destroy";

/** Every {@link CloseAction}. */
export const CLOSE_ACTIONS: readonly CloseAction[] = ["end", "reset", "error", "destroy"];

/** A connection whose socket a test can fail or destroy underneath it. */
export interface SocketBackedConnection extends Pick<Connection, "end" | "reset"> {
  readonly socket: { destroy(error?: Error): unknown };
}

/** How consecutive actions are spaced: one synchronous run, microtask ticks, or event-loop turns. */
export type CloseSpacing = "same tick" | "next tick" | "next turn";

/** Every {@link CloseSpacing}. */
export const CLOSE_SPACINGS: readonly CloseSpacing[] = ["same tick", "next tick", "next turn"];

/** Applies `action` to `connection`; "error" and "destroy" act on its socket. */
export function applyCloseAction(action: "end" | "reset", connection: Connection): void;
export function applyCloseAction(action: CloseAction, connection: SocketBackedConnection): void;
export function applyCloseAction(
  action: CloseAction,
  connection: Pick<Connection, "end" | "reset"> & Partial<SocketBackedConnection>,
): void {
  if (action === "end") connection.end();
  else if (action === "reset") connection.reset(new Error("close order: reset"));
  else if (action === "error") connection.socket!.destroy(new Error("close order: socket error"));
  else connection.socket!.destroy();
}

/** Waits as `spacing` says between two actions: nothing, one microtask tick, or one turn. */
export function closePause(spacing: CloseSpacing): Promise<void> | undefined {
  if (spacing === "next tick") return new Promise((resolve) => process.nextTick(resolve));
  if (spacing === "next turn") return new Promise((resolve) => setImmediate(resolve));
  return undefined;
}

/** Every ordering of `items` (n! of them): each order in which a test may apply its actions. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** One end() or reset() on one side of a pair. */
type PairAction = "client.end" | "client.reset" | "server.end" | "server.reset";

const PAIR_ACTIONS: readonly PairAction[] = [
  "client.end",
  "client.reset",
  "server.end",
  "server.reset",
];

/**
 * Every ordered sequence of 2 to 4 distinct actions that holds a reset (two ends alone close
 * cleanly and are checked elsewhere): 10 + 24 + 24 = 58 orders.
 */
export function closeOrders(): PairAction[][] {
  const out: PairAction[][] = [];
  const extend = (prefix: PairAction[]): void => {
    if (prefix.length >= 2 && prefix.some((a) => a.endsWith("reset"))) out.push(prefix);
    if (prefix.length === PAIR_ACTIONS.length) return;
    for (const action of PAIR_ACTIONS) if (!prefix.includes(action)) extend([...prefix, action]);
  };
  extend([]);
  return out;
}

function apply(action: PairAction, client: Connection, server: Connection): void {
  applyCloseAction(
    action.endsWith("end") ? "end" : "reset",
    action.startsWith("client") ? client : server,
  );
}

/** Both sides' onClose must fire, once, within the wait; `label` names the order that failed. */
async function expectBothClose(
  label: string,
  recorders: readonly ConnectionRecorder[],
  waitTimeoutMs: number,
): Promise<void> {
  for (const [i, recorder] of recorders.entries()) {
    const side = i === 0 ? "client" : "server";
    await recorder.whenClosed(waitTimeoutMs).catch((error: unknown) => {
      throw new Error(`${label}: the ${side} never closed`, { cause: error });
    });
  }
  await settle(0, 1);
  for (const [i, recorder] of recorders.entries()) {
    const side = i === 0 ? "client" : "server";
    expect(recorder.violations, `${label}: ${side} contract breaches`).toEqual([]);
    expect(recorder.counts.closes, `${label}: ${side} onClose count`).toBe(1);
  }
}

/** A check of every close order with one spacing; one check per spacing keeps each one short. */
function closeOrdersCheck(spacing: CloseSpacing): ConformanceCheck {
  return {
    name: `close orders (${spacing}): every order of end() and reset() on both sides closes both sides once`,
    run: async (target) => {
      const { waitTimeoutMs } = resolveTarget(target);
      for (const order of closeOrders()) {
        await withPair(target, async ({ client, server }) => {
          // Each side ends when its peer does, as an engine would; so a half-open side closes too.
          const recorders = [client, server].map((c) => recordConnection(c, { onEnd: endOnEnd }));
          client.write([noise(300, 21)]);
          server.write([noise(300, 22)]);
          for (const action of order) {
            apply(action, client, server);
            await closePause(spacing);
          }
          await expectBothClose(`${order.join(", ")} (${spacing})`, recorders, waitTimeoutMs);
        });
      }
    },
  };
}

/** The close-order checks, one per spacing; public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const closeOrdersChecks: readonly ConformanceCheck[] = CLOSE_SPACINGS.map(closeOrdersCheck);

/** One check of the suite (its `name` says what); public through TRANSPORT_CONFORMANCE_CHECKS. @internal */
export const resetWhileEndingCheck: ConformanceCheck = {
  name: "close orders: reset() while end() still flushes to a peer that does not read closes at once",
  run: async (target) => {
    const { waitTimeoutMs } = resolveTarget(target);
    for (const spacing of CLOSE_SPACINGS) {
      await withPair(target, async ({ client, server }) => {
        server.pause();
        const atClient = recordConnection(client);
        recordConnection(server);
        // More than loopback kernel buffers hold, so the FIN waits behind unsent bytes.
        for (let i = 0; i < 64 && client.bufferedBytes < PENDING_BYTES; i++) {
          client.write([noise(256 * 1024, i)]);
        }
        client.end();
        await closePause(spacing);
        const reason = new Error("conformance: reset while ending");
        client.reset(reason);
        const label = `end(), then reset() (${spacing}) with output pending`;
        const error = await atClient.whenClosed(waitTimeoutMs).catch((cause: unknown) => {
          throw new Error(`${label}: the client never closed`, { cause });
        });
        expect(error, `${label}: the client's onClose error`).toBe(reason);
      });
    }
  },
};

/** Output the reset-while-ending check leaves buffered in user space behind the FIN. */
const PENDING_BYTES = 1024 * 1024;

const endOnEnd = (connection: Connection) => connection.end();
