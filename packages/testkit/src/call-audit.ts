/** How one call ended, as the caller saw it. */
export interface CallOutcome {
  /** The id the call carried, the one the server records in its ledger. */
  readonly id: string;
  /** The call resolved. */
  readonly ok: boolean;
  /** The error's `code` when it failed (`"HUNG"` when it never settled: see `settleWithin`). */
  readonly code?: string;
  /** The error said the handler certainly did not run (`notExecuted: true`). */
  readonly notExecuted?: boolean;
  /** The error said the call may be retried as is. */
  readonly retryable?: boolean;
  /** Milliseconds from the call's start until it settled. */
  readonly elapsedMs: number;
}

/** What {@link auditCalls} found; every list holds call ids and is empty when the rule holds. */
export interface CallAudit {
  /** Calls per outcome: `ok`, or the error code. */
  readonly byCode: Readonly<Record<string, number>>;
  /** Ids the ledger holds more than once: executed twice. */
  readonly duplicated: readonly string[];
  /** Calls that failed `notExecuted` although the ledger shows they ran. */
  readonly falselyNotExecuted: readonly string[];
  /** Calls that succeeded but are not in the ledger (the answer came from nowhere). */
  readonly unrecorded: readonly string[];
  /** Calls that failed without `notExecuted`: the caller cannot tell whether they ran. */
  readonly uncertain: readonly string[];
  /** Ids in the ledger that no call carried. */
  readonly unknown: readonly string[];
  /** Calls that never settled (code `"HUNG"`). */
  readonly hung: readonly string[];
  /** Calls that settled later than their deadline plus the allowed slack. */
  readonly late: readonly string[];
  /** The slowest call's `elapsedMs`. */
  readonly maxElapsedMs: number;
}

/**
 * Checks what callers saw against what the server executed (`executed`: from `readCallLedger`):
 * nothing ran twice, nothing reported "not executed" ran, every success ran, every call settled,
 * none later than `deadlineMs + slackMs`; and lists the calls whose fate the caller cannot know.
 */
export function auditCalls(
  outcomes: readonly CallOutcome[],
  executed: ReadonlyMap<string, number>,
  limits: { deadlineMs: number; slackMs: number },
): CallAudit {
  const byCode: Record<string, number> = {};
  const lists = { falselyNotExecuted: [], unrecorded: [], uncertain: [], hung: [], late: [] } as {
    [key in "falselyNotExecuted" | "unrecorded" | "uncertain" | "hung" | "late"]: string[];
  };
  const issued = new Set<string>();
  let maxElapsedMs = 0;
  for (const call of outcomes) {
    issued.add(call.id);
    const key = call.ok ? "ok" : (call.code ?? "UNKNOWN");
    byCode[key] = (byCode[key] ?? 0) + 1;
    const runs = executed.get(call.id) ?? 0;
    if (!call.ok && call.notExecuted && runs > 0) lists.falselyNotExecuted.push(call.id);
    if (call.ok && runs === 0) lists.unrecorded.push(call.id);
    if (!call.ok && !call.notExecuted) lists.uncertain.push(call.id);
    if (call.code === "HUNG") lists.hung.push(call.id);
    if (call.elapsedMs > limits.deadlineMs + limits.slackMs) lists.late.push(call.id);
    maxElapsedMs = Math.max(maxElapsedMs, call.elapsedMs);
  }
  const duplicated = [...executed].filter(([, runs]) => runs > 1).map(([id]) => id);
  const unknown = [...executed.keys()].filter((id) => !issued.has(id));
  return { byCode, duplicated, unknown, maxElapsedMs, ...lists };
}

/**
 * Runs `call` and describes how it ended; a call still pending `limitMs` after it started is
 * reported as code `"HUNG"` (and left to settle on its own), so one wedged call cannot stall a run.
 */
export async function settleWithin(
  id: string,
  limitMs: number,
  call: () => Promise<unknown>,
): Promise<CallOutcome> {
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<CallOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ id, ok: false, code: "HUNG", elapsedMs: limitMs }), limitMs);
  });
  // Through a promise executor: a call that throws before returning a promise is a failed call
  // too, and must not leave the HUNG timer running.
  const settled = new Promise<unknown>((resolve) => resolve(call())).then(
    (): CallOutcome => ({ id, ok: true, elapsedMs: performance.now() - start }),
    (error: { code?: unknown; notExecuted?: unknown; retryable?: unknown }): CallOutcome => ({
      id,
      ok: false,
      code: typeof error?.code === "string" ? error.code : String(error),
      notExecuted: error?.notExecuted === true,
      retryable: error?.retryable === true,
      elapsedMs: performance.now() - start,
    }),
  );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}
