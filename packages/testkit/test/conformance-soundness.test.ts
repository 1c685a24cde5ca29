import { describe, expect, it } from "vitest";
import { TRANSPORT_CONFORMANCE_CHECKS } from "../src/index.js";
import { type Fault, faultyTarget } from "./faulty-connection.js";

// The suite is only worth running if it can fail: each broken connection below breaks one rule of
// the Connection contract, and the check for that rule must reject it.
const checkNamed = (start: string) => {
  const check = TRANSPORT_CONFORMANCE_CHECKS.find((candidate) => candidate.name.startsWith(start));
  if (!check) throw new Error(`no conformance check named "${start}..."`);
  return check;
};

// [fault, check name start, a fragment of the failure the check must report]
const cases: [Fault, string, string][] = [
  ["reads-before-attach", "nothing is read before attach()", "first lost or changed offset"],
  ["reorders-chunks", "one write's chunks arrive in order", "client -> server"],
  ["corrupts-large-writes", "a large payload", "first corrupted offset"],
  ["never-refuses-writes", "backpressure", "write() while the reader is paused"],
  ["delivers-while-paused", "backpressure", "bytes written without bufferedBytes growing"],
  ["never-drains", "backpressure", "no onDrain"],
  ["swallows-end", "half-close", "no onEnd"],
  ["silent-reset", "reset mid-frame", "resetting side's onClose"],
  ["forgets-reset-error", "reset mid-frame", "resetting side's onClose"],
  ["errors-on-clean-close", "close vs destroy: end()", "client onClose error"],
  ["closes-twice", "onClose fires exactly once", "onClose twice"],
  ["throws-after-close", "onClose fires exactly once", "write() after close"],
  ["never-refuses-writes", "half-close", "write() after end()"],
  [
    "silent-reset",
    "close vs destroy: the server's reset()",
    "the peer's onClose error after reset()",
  ],
];

describe("transport conformance checks", () => {
  it("pass against the memory pair seen through the same wrapper with no fault", async () => {
    for (const check of TRANSPORT_CONFORMANCE_CHECKS) await check.run(faultyTarget("none"));
  });

  it.each(cases)("reject a connection that %s (check: %s)", async (fault, checkName, failure) => {
    await expect(checkNamed(checkName).run(faultyTarget(fault))).rejects.toThrow(failure);
  });
});
