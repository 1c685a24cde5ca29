import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { expect, it, onTestFinished } from "vitest";
import {
  auditCalls,
  CallLedger,
  type CallOutcome,
  readCallLedger,
  settleWithin,
} from "../src/index.js";

const limits = { deadlineMs: 1_000, slackMs: 100 };
const ok = (id: string, elapsedMs = 1): CallOutcome => ({ id, ok: true, elapsedMs });
const failed = (id: string, code: string, notExecuted: boolean): CallOutcome => ({
  id,
  ok: false,
  code,
  notExecuted,
  retryable: notExecuted,
  elapsedMs: 1,
});

it("reads back every id a ledger recorded, with how often", () => {
  const path = `/tmp/parley-ledger-test-${randomBytes(4).toString("hex")}.log`;
  onTestFinished(() => rmSync(path, { force: true }));
  const ledger = CallLedger.open(path);
  ledger.record("a");
  ledger.record("b");
  ledger.record("a");
  ledger.close();
  ledger.record("after close");
  expect(readCallLedger(path)).toEqual(
    new Map([
      ["a", 2],
      ["b", 1],
    ]),
  );
  expect(readCallLedger(`${path}.missing`).size).toBe(0);
});

it("finds calls that ran twice, ran although reported not executed, or succeeded without running", () => {
  const outcomes = [
    ok("twice"),
    failed("refused-but-ran", "UNAVAILABLE", true),
    ok("phantom"),
    failed("lost", "CONNECTION_LOST", false),
    failed("refused", "UNAVAILABLE", true),
  ];
  const executed = new Map([
    ["twice", 2],
    ["refused-but-ran", 1],
    ["lost", 1],
    ["stranger", 1],
  ]);
  const audit = auditCalls(outcomes, executed, limits);
  expect(audit.duplicated).toEqual(["twice"]);
  expect(audit.falselyNotExecuted).toEqual(["refused-but-ran"]);
  expect(audit.unrecorded).toEqual(["phantom"]);
  expect(audit.uncertain).toEqual(["lost"]);
  expect(audit.unknown).toEqual(["stranger"]);
  expect(audit.byCode).toEqual({ ok: 2, UNAVAILABLE: 2, CONNECTION_LOST: 1 });
});

it("flags calls that settled after deadline plus slack, and passes a clean run", () => {
  const audit = auditCalls(
    [ok("fast", 1_100), ok("slow", 1_101)],
    new Map([
      ["fast", 1],
      ["slow", 1],
    ]),
    limits,
  );
  expect(audit.late).toEqual(["slow"]);
  expect(audit.maxElapsedMs).toBe(1_101);
  const clean = auditCalls([ok("a")], new Map([["a", 1]]), limits);
  expect([
    clean.duplicated,
    clean.falselyNotExecuted,
    clean.unrecorded,
    clean.hung,
    clean.late,
  ]).toEqual([[], [], [], [], []]);
});

it("describes a rejected call by its code and flags, and a pending one as HUNG", async () => {
  const error = Object.assign(new Error("refused"), {
    code: "UNAVAILABLE",
    notExecuted: true,
    retryable: true,
  });
  const refused = await settleWithin("r", 1_000, () => Promise.reject(error));
  expect(refused).toMatchObject({
    id: "r",
    ok: false,
    code: "UNAVAILABLE",
    notExecuted: true,
    retryable: true,
  });
  const hung = await settleWithin("h", 20, () => new Promise(() => {}));
  expect(hung).toMatchObject({ id: "h", ok: false, code: "HUNG" });
  const audit = auditCalls([hung], new Map(), limits);
  expect(audit.hung).toEqual(["h"]);
});

it("settleWithin describes a call that throws before returning a promise, and leaves no timer behind", async () => {
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
  const before = timers();
  const error = Object.assign(new Error("bad argument"), { code: "INVALID_ARGUMENT" });
  const outcome = await settleWithin("t", 60_000, () => {
    throw error;
  });
  expect(outcome).toMatchObject({
    id: "t",
    ok: false,
    code: "INVALID_ARGUMENT",
    notExecuted: false,
  });
  expect(timers()).toBe(before);
});
