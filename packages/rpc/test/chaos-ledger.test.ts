// Chaos: a server process killed (SIGKILL) or closed gracefully (SIGTERM -> server.close()) in the
// middle of 10,000 calls at concurrency 64, then restarted; the client reconnects. The server's
// ledger of executed call ids is checked against what every caller was told.
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import {
  auditCalls,
  type CallAudit,
  type CallOutcome,
  readCallLedger,
  runBounded,
  settleWithin,
} from "@parley/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { connect } from "../src/index.js";
import { ledgerContract, reportFigures, scaled, tempLedgerPath } from "./chaos-fixtures.js";
import { tempSocketPath } from "./fixtures.js";
import { exited, spawnScript } from "./processes/spawn.js";

const CALLS = scaled(10_000);
const CONCURRENCY = 64;
const STOPS = scaled(1); // the server is stopped and restarted this many times, evenly spread
const DEADLINE_MS = 8_000;
// A settled call may come this late after its deadline (a loaded 2-core machine, GC pauses).
const SLACK_MS = 2_000;

interface LedgerRun {
  outcomes: CallOutcome[];
  audit: CallAudit;
  reconnects: number;
  dropped: { rejected: number; abandoned: number };
  durationMs: number;
}

/** Runs the calls, stopping the server with `signal` at each stop point and starting a new one. */
async function runWithStops(signal: "SIGKILL" | "SIGTERM"): Promise<LedgerRun> {
  const url = `unix://${tempSocketPath()}`;
  const ledgerPath = tempLedgerPath();
  onTestFinished(() => rmSync(ledgerPath, { force: true }));
  let server: ChildProcess = (await spawnScript("ledger-server.ts", [url, ledgerPath])).child;
  const client = await connect({
    url,
    contract: ledgerContract,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  onTestFinished(() => client.destroy());
  let reconnects = 0;
  client.on("reconnect", () => reconnects++);
  // What each dropped connection's peer says of its calls: refused by the Bye, or in flight.
  const dropped = { rejected: 0, abandoned: 0 };
  client.on("disconnect", (info) => {
    dropped.rejected += info.calls.rejected;
    dropped.abandoned += info.calls.abandoned;
  });
  const stopAt = new Set(
    Array.from({ length: STOPS }, (_, k) => Math.floor(((k + 0.3) * CALLS) / STOPS)),
  );
  let restarts = Promise.resolve();
  let settled = 0;
  const start = performance.now();
  const outcomes = await runBounded(CALLS, CONCURRENCY, async (i) => {
    const id = `call-${i}`;
    const outcome = await settleWithin(id, DEADLINE_MS + SLACK_MS * 2, () =>
      client.call.run({ id, ms: i % 4 }, { timeoutMs: DEADLINE_MS }),
    );
    if (stopAt.has(++settled)) {
      restarts = restarts.then(async () => {
        server.kill(signal);
        await exited(server);
        server = (await spawnScript("ledger-server.ts", [url, ledgerPath])).child;
      });
    }
    return outcome;
  });
  const durationMs = performance.now() - start;
  await restarts;
  await client.close();
  server.kill("SIGTERM");
  await exited(server);
  const audit = auditCalls(outcomes, readCallLedger(ledgerPath), {
    deadlineMs: DEADLINE_MS,
    slackMs: SLACK_MS,
  });
  return { outcomes, audit, durationMs, reconnects, dropped };
}

/** The name each stop mode's figures are reported under. */
const FIGURES_NAME = { SIGKILL: "kill-ledger", SIGTERM: "graceful-close" } as const;

/** {@link runWithStops}, then its figures printed under the stop mode's name. */
async function runAndReport(signal: "SIGKILL" | "SIGTERM"): Promise<LedgerRun> {
  const run = await runWithStops(signal);
  const { audit, durationMs, reconnects, dropped } = run;
  reportFigures(FIGURES_NAME[signal], {
    calls: CALLS,
    stops: STOPS,
    durationMs: Math.round(durationMs),
    reconnects,
    dropped,
    ...summary(audit),
  });
  return run;
}

const timeout = 120_000 * Math.max(1, STOPS);

describe("chaos: a server stopped under load", () => {
  it(`SIGKILLed mid-way through ${CALLS} calls at concurrency ${CONCURRENCY}: no call hangs, none reported not executed ran, none ran twice`, {
    timeout,
  }, async () => {
    const { outcomes, audit, reconnects, dropped } = await runAndReport("SIGKILL");
    expect(audit.hung).toEqual([]);
    expect(audit.late).toEqual([]);
    expect(audit.duplicated).toEqual([]);
    expect(audit.falselyNotExecuted).toEqual([]);
    expect(audit.unrecorded).toEqual([]);
    expect(audit.unknown).toEqual([]);
    // The kill caught calls in flight: they failed CONNECTION_LOST (not retried: not idempotent).
    expect(audit.byCode.CONNECTION_LOST ?? 0).toBeGreaterThan(0);
    expect(dropped.abandoned).toBe(audit.byCode.CONNECTION_LOST);
    // Every failure is either lost with the connection or certainly not executed.
    const other = outcomes.filter((o) => !o.ok && !o.notExecuted && o.code !== "CONNECTION_LOST");
    expect(other.map((o) => o.code)).toEqual([]);
    // The restarted server took over: most calls succeeded.
    expect(reconnects).toBe(STOPS);
    expect(audit.byCode.ok ?? 0).toBeGreaterThan(CALLS / 2);
  });

  it(`closed gracefully mid-way through ${CALLS} calls: none lost, duplicated or dropped; every call succeeded or was refused retryable and not executed`, {
    timeout,
  }, async () => {
    const { outcomes, audit, reconnects, dropped } = await runAndReport("SIGTERM");
    expect(audit.hung).toEqual([]); // silently dropped: 0
    expect(audit.late).toEqual([]);
    expect(audit.duplicated).toEqual([]);
    expect(audit.uncertain).toEqual([]); // lost: 0 (every failure says it did not run)
    expect(dropped.abandoned).toBe(0); // the Bye let every call in flight finish
    expect(audit.falselyNotExecuted).toEqual([]);
    expect(audit.unrecorded).toEqual([]);
    expect(audit.unknown).toEqual([]);
    const refusals = outcomes.filter((o) => !o.ok);
    expect(refusals.filter((o) => !(o.retryable && o.notExecuted))).toEqual([]);
    expect(reconnects).toBe(STOPS);
    expect(audit.byCode.ok ?? 0).toBeGreaterThan(CALLS / 2);
  });
});

function summary(audit: CallAudit) {
  return {
    byCode: audit.byCode,
    duplicated: audit.duplicated.length,
    falselyNotExecuted: audit.falselyNotExecuted.length,
    uncertain: audit.uncertain.length,
    unrecorded: audit.unrecorded.length,
    hung: audit.hung.length,
    late: audit.late.length,
    maxElapsedMs: Math.round(audit.maxElapsedMs),
  };
}
