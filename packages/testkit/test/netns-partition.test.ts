import { execFileSync } from "node:child_process";
import { expect, it } from "vitest";
import { createNetnsPartition, netnsPartitionSupport } from "../src/index.js";

const support = netnsPartitionSupport();

it("says whether a namespace partition can be made here, with a reason when not", () => {
  if (support.ok) expect(support).toEqual({ ok: true });
  else expect(support.reason).toMatch(/platform|root|not found|namespace/);
});

it("creates a namespace with its own addresses and deletes it again", (ctx) => {
  if (!support.ok) {
    console.log(`[testkit] partition check skipped: ${support.reason}`);
    ctx.skip(support.reason);
    return;
  }
  const partition = createNetnsPartition();
  try {
    const namespaces = () => execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    expect(namespaces()).toContain(partition.namespace);
    expect(partition.hostAddress).toMatch(/^10\.213\.\d+\.\d+$/);
    const inside = execFileSync(
      partition.command(["ip", "-4", "addr"])[0]!,
      partition.command(["ip", "-4", "addr"]).slice(1),
      { encoding: "utf8" },
    );
    expect(inside).toContain(partition.peerAddress);
    partition.blackhole();
    const rules = partition.command(["iptables", "-S"]);
    expect(execFileSync(rules[0]!, rules.slice(1), { encoding: "utf8" })).toContain(
      "-A INPUT -j DROP",
    );
    partition.heal();
    expect(execFileSync(rules[0]!, rules.slice(1), { encoding: "utf8" })).not.toContain("DROP");
  } finally {
    partition.destroy();
    partition.destroy();
  }
  expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(
    partition.namespace,
  );
});

it("lifts the drop with one heal() however many times blackhole() was called, and heals an open link quietly", (ctx) => {
  if (!support.ok) {
    ctx.skip(support.reason);
    return;
  }
  const partition = createNetnsPartition();
  try {
    const rules = partition.command(["iptables", "-S"]);
    const drops = () =>
      execFileSync(rules[0]!, rules.slice(1), { encoding: "utf8" })
        .split("\n")
        .filter((rule) => rule.includes("DROP")).length;
    expect(() => partition.heal()).not.toThrow();
    partition.blackhole();
    partition.blackhole();
    expect(drops()).toBe(2);
    partition.heal();
    expect(drops()).toBe(0);
  } finally {
    partition.destroy();
  }
});
