import { afterAll, beforeAll, describe, it } from "vitest";
import {
  cleanCloseCheck,
  closeOnceCheck,
  halfCloseCheck,
  resetCloseCheck,
  resetMidFrameCheck,
} from "./conformance-close-checks.js";
import { closeOrdersChecks, resetWhileEndingCheck } from "./conformance-close-orders.js";
import {
  attachBeforeReadCheck,
  backpressureCheck,
  type ConformanceCheck,
  echoCheck,
  largePayloadCheck,
  orderingCheck,
} from "./conformance-data-checks.js";
import type { ConformanceTarget } from "./conformance-target.js";
import { expectNoLeakedHandles, type HandleSnapshot, snapshotHandles } from "./handle-snapshot.js";

/** Per-check vitest timeout: generous, since every wait inside a check has its own timeout. */
const CHECK_TIMEOUT_MS = 60_000;

/**
 * Every check of the transport conformance suite, in the order the suite runs them. Run one alone
 * with `await check.run(target)` inside a test (each check opens and closes its own pair).
 */
export const TRANSPORT_CONFORMANCE_CHECKS: readonly ConformanceCheck[] = Object.freeze([
  echoCheck,
  orderingCheck,
  largePayloadCheck,
  attachBeforeReadCheck,
  backpressureCheck,
  halfCloseCheck,
  resetMidFrameCheck,
  cleanCloseCheck,
  resetCloseCheck,
  closeOnceCheck,
  ...closeOrdersChecks,
  resetWhileEndingCheck,
]);

/**
 * Registers the transport conformance suite for `target` as vitest `describe`/`it` blocks: every
 * check of {@link TRANSPORT_CONFORMANCE_CHECKS}, then a check that no handle or file descriptor
 * outlives the pairs. Call it at the top level of a test file.
 * @example
 * describeTransportConformance({
 *   name: "tcp",
 *   openPair: async () => { ...connect a client and accept a server...; return { client, server, close } },
 * });
 */
export function describeTransportConformance(target: ConformanceTarget): void {
  describe(`${target.name} transport conformance`, () => {
    let before: HandleSnapshot;
    // Once, whichever of the leak check and afterAll comes first: a teardown that closes a
    // listener would fail on a second call (net.Server's close() does).
    let tornDown: Promise<void> | undefined;
    const teardown = () => {
      tornDown ??= (async () => target.teardown?.())();
      return tornDown;
    };
    beforeAll(() => {
      before = snapshotHandles();
    });
    for (const check of TRANSPORT_CONFORMANCE_CHECKS) {
      it(check.name, () => check.run(target), CHECK_TIMEOUT_MS);
    }
    it(
      "leaves no handles or file descriptors open once every pair is closed",
      async () => {
        await teardown();
        if (target.leakCheck !== false) await expectNoLeakedHandles(before, target.leakCheck);
      },
      CHECK_TIMEOUT_MS,
    );
    // A filtered run may skip the test above; still release what the target holds.
    afterAll(teardown);
  });
}
