import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineContract, diffContracts, formatContractDiff } from "../src/index.js";
import { agreeMembers, contractMembers } from "../src/internal.js";
import { CHANGE_TABLE } from "./contract-change-table.js";

describe("diffContracts", () => {
  it("holds at least 15 changes in its table", () => {
    expect(CHANGE_TABLE.length).toBeGreaterThanOrEqual(15);
  });

  for (const row of CHANGE_TABLE) {
    it(`${row.change}: ${row.verdict}`, () => {
      const diff = diffContracts(row.before, row.after);
      expect(diff.verdict).toBe(row.verdict);
      expect(diff.breaking.length > 0).toBe(row.verdict !== "compatible");
      if (row.expect !== undefined) {
        expect(diff.changes).toContainEqual(expect.objectContaining(row.expect));
      }
      // The reverse change breaks the other order: what needs servers first undone needs callers first.
      const reverse = diffContracts(row.after, row.before).verdict;
      const mirrored = {
        "servers-first": "callers-first",
        "callers-first": "servers-first",
      } as const;
      const schemaChange = /^(input|output|signal):/.test(row.change);
      if (schemaChange && (row.verdict === "servers-first" || row.verdict === "callers-first")) {
        expect(reverse).toBe(mirrored[row.verdict]);
      }
    });
  }

  it("reports no change for an identical contract or one that only changed a description", () => {
    const row = CHANGE_TABLE.find((r) => r.change === "description changed only")!;
    expect(diffContracts(row.before, row.after).changes).toEqual([]);
    expect(diffContracts(row.before, row.before).changes).toEqual([]);
  });

  it("takes defined contracts as well as definitions, and reports both versions", () => {
    const v1 = defineContract({
      name: "kv",
      version: 1,
      requests: { get: { input: z.object({ key: z.string() }), output: z.string() } },
    });
    const v2 = defineContract({
      name: "kv",
      version: "2.0",
      requests: {
        get: { input: z.object({ key: z.string(), n: z.number() }), output: z.string() },
      },
    });
    const diff = diffContracts(v1, v2);
    expect(diff).toMatchObject({
      contract: "kv",
      oldVersion: "1",
      newVersion: "2.0",
      verdict: "callers-first",
    });
    expect(diff.breaking).toEqual([
      {
        member: "request",
        name: "get",
        path: "input.n",
        oldType: "absent",
        newType: "number",
        reason: "required field added",
        breaksOldCallers: true,
        breaksNewCallers: false,
        verdict: "callers-first",
      },
    ]);
  });

  it("formats a diff with the breaking changes first, naming member, path and both types", () => {
    const row = CHANGE_TABLE.find((r) => r.change === "input: field type changed")!;
    const before = {
      ...row.before,
      requests: { ...row.before.requests, ping: { input: z.null(), output: z.object({}) } },
    };
    const after = {
      ...row.after,
      requests: {
        ...row.after.requests,
        ping: { input: z.null(), output: z.object({ at: z.number().optional() }) },
      },
    };
    const text = formatContractDiff(diffContracts(before, after));
    expect(text.split("\n")).toEqual([
      "kv v1 -> v2: breaking",
      "BREAKING      request get input.ttl: number -> string (type changed)",
      "COMPATIBLE    request ping output.at: absent -> number? (optional field added)",
    ]);
  });
});

describe("diffContracts and the Hello", () => {
  // What the Hello refuses (agreeMembers: a member both sides have but cannot fit) must never be
  // called safe for that meeting by the diff, or a deploy it approves fails at connect time.
  for (const row of CHANGE_TABLE) {
    it(`agree on ${row.change}`, () => {
      const diff = diffContracts(row.before, row.after);
      const oldCallerNewServer = agreeMembers(row.before, contractMembers(row.after));
      const newCallerOldServer = agreeMembers(row.after, contractMembers(row.before));
      if (oldCallerNewServer.incompatible.length > 0) {
        expect(diff.changes.some((c) => c.breaksOldCallers)).toBe(true);
      }
      if (newCallerOldServer.incompatible.length > 0) {
        expect(diff.changes.some((c) => c.breaksNewCallers)).toBe(true);
      }
    });
  }
});

describe("docs/contract-changes.md", () => {
  it("shows the same changes and verdicts as the table the tests run", () => {
    const doc = readFileSync(new URL("../../../docs/contract-changes.md", import.meta.url), "utf8");
    const rows = [...doc.matchAll(/^\| ([^|]+?) +\| `([a-z-]+)` +\|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(CHANGE_TABLE.map((r) => [r.change, r.verdict]));
  });
});
