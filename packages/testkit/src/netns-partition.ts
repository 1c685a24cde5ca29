import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

/** Whether {@link createNetnsPartition} can run here, and if not, why. */
export type PartitionSupport =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string };

/**
 * A network namespace joined to this one by a veth pair, with a /30 of its own: this side has
 * `hostAddress`, the namespace `peerAddress`. Run a peer inside with `command()`; `blackhole()`
 * drops every packet in the namespace (iptables DROP on its INPUT and OUTPUT), so the peer
 * vanishes without a FIN or reset, as after a cable pull.
 */
export interface NetnsPartition {
  /** The namespace's name (`parley-<random hex>`). */
  readonly namespace: string;
  /** This side's end of the veth pair. */
  readonly hostAddress: string;
  /** The namespace's end; a server inside listens here. */
  readonly peerAddress: string;
  /** `argv` prefixed to run a command inside the namespace (`ip netns exec <ns> ...argv`). */
  command(argv: readonly string[]): string[];
  /** Drops every packet inside the namespace, both ways. Idempotent. */
  blackhole(): void;
  /** Lifts the drop, however many times `blackhole()` was called; idempotent. */
  heal(): void;
  /** Deletes the namespace, its rules and the veth pair; idempotent, never throws. */
  destroy(): void;
}

const run = (argv: readonly string[]) =>
  execFileSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });

/**
 * Says whether network namespaces can be made here: Linux, root, `ip` and `iptables` on `PATH`,
 * and a trial namespace can actually be created (containers may forbid it).
 */
export function netnsPartitionSupport(): PartitionSupport {
  if (process.platform !== "linux") return { ok: false, reason: `platform is ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: "not running as root" };
  for (const tool of ["ip", "iptables"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return { ok: false, reason: `${tool} not found (install iproute2 and iptables)` };
    }
  }
  const probe = `parley-probe-${randomBytes(3).toString("hex")}`;
  try {
    run(["ip", "netns", "add", probe]);
    run(["ip", "netns", "exec", probe, "iptables", "-S"]);
  } catch (error) {
    return { ok: false, reason: `cannot create a network namespace: ${(error as Error).message}` };
  } finally {
    try {
      run(["ip", "netns", "del", probe]);
    } catch {}
  }
  return { ok: true };
}

/**
 * Creates the namespace and veth pair (addresses in 10.213.0.0/16, a private range, a random /30
 * each time; nothing outside this machine is ever addressed). Check
 * {@link netnsPartitionSupport} first. Call `destroy()` in `afterAll`, even after a failure.
 */
export function createNetnsPartition(): NetnsPartition {
  const tag = randomBytes(3).toString("hex");
  const namespace = `parley-${tag}`;
  const hostLink = `pv${tag}a`;
  const peerLink = `pv${tag}b`;
  const subnet = (randomBytes(2).readUInt16BE(0) % 16384) * 4; // a /30 inside 10.213.0.0/16
  const octets = (n: number) => `10.213.${(subnet + n) >> 8}.${(subnet + n) & 255}`;
  const hostAddress = octets(1);
  const peerAddress = octets(2);
  const inside = (argv: readonly string[]) => run(["ip", "netns", "exec", namespace, ...argv]);
  const destroy = () => {
    for (const argv of [
      ["ip", "netns", "del", namespace],
      ["ip", "link", "del", hostLink], // normally gone with the namespace; deleted lazily though
    ]) {
      try {
        run(argv);
      } catch {}
    }
  };
  try {
    run(["ip", "netns", "add", namespace]);
    run(["ip", "link", "add", hostLink, "type", "veth", "peer", "name", peerLink]);
    run(["ip", "link", "set", peerLink, "netns", namespace]);
    run(["ip", "addr", "add", `${hostAddress}/30`, "dev", hostLink]);
    run(["ip", "link", "set", hostLink, "up"]);
    inside(["ip", "addr", "add", `${peerAddress}/30`, "dev", peerLink]);
    inside(["ip", "link", "set", peerLink, "up"]);
    inside(["ip", "link", "set", "lo", "up"]);
  } catch (error) {
    destroy();
    throw error;
  }
  // One rule per chain at most: a second blackhole() must not add rules one heal() leaves behind.
  let dropping = false;
  const drop = (on: boolean) => {
    if (on === dropping) return;
    for (const chain of ["INPUT", "OUTPUT"]) {
      inside(["iptables", on ? "-A" : "-D", chain, "-j", "DROP"]);
    }
    dropping = on;
  };
  return {
    namespace,
    hostAddress,
    peerAddress,
    command: (argv) => ["ip", "netns", "exec", namespace, ...argv],
    blackhole: () => drop(true),
    heal: () => drop(false),
    destroy,
  };
}
