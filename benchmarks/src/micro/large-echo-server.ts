// The server of large-echo.ts: raw node:net's echo server (the e2e baseline), optionally with a
// module imported first and never used, or with a few MB of plain objects kept alive; or, given
// "parley", Parley's own echo server (the e2e `parley` system). It reports
// its garbage collections, minor page faults and CPU time over the measured window, then the size
// of its old generation.
import { constants, PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import { system as parley } from "../systems/parley.js";
import { system as raw } from "../systems/raw.js";
import type { ListenSpec } from "../systems/system.js";

const [path, preload] = process.argv.slice(2) as [string, string];
const BALLAST = "ballast:";
// About 70 bytes of old generation per entry once promoted.
const ballast = preload.startsWith(BALLAST)
  ? Array.from({ length: Number(preload.slice(BALLAST.length)) * 15_000 }, (_, i) => ({
      i,
      s: `b${i}`,
    }))
  : [];
const PARLEY = "parley";
if (preload !== "" && preload !== PARLEY && ballast.length === 0) await import(preload);
const system = preload === PARLEY ? parley : raw;
// The server loads its modules before the collection below, as the imported variant does.
// "tcp" for a path: loopback TCP on a free port instead of a Unix socket.
const listen: ListenSpec =
  path === "tcp" ? { transport: "tcp", host: "127.0.0.1" } : { transport: "unix", path };
const { endpoint } = await system.startServer(listen);
// One full collection after loading, as every process that has run for a while has had: V8 then
// sizes the old generation's limit from the live heap instead of its generous start-up value.
(globalThis as { gc?: () => void }).gc?.();

let majorGcs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
  }
}).observe({ entryTypes: ["gc"] });

let start = { cpu: process.cpuUsage(), faults: 0 };
process.on("message", (message: string) => {
  if (message === "start") {
    majorGcs = 0;
    start = { cpu: process.cpuUsage(), faults: process.resourceUsage().minorPageFault };
    process.send?.("started");
  } else if (message === "stop") {
    const cpu = process.cpuUsage(start.cpu);
    const faults = process.resourceUsage().minorPageFault - start.faults;
    (globalThis as { gc?: () => void }).gc?.();
    const oldGenBytes = getHeapSpaceStatistics()
      .filter((space) => !space.space_name.startsWith("new_"))
      .reduce((sum, space) => sum + space.space_used_size, 0);
    process.send?.({
      majorGcs,
      faults,
      cpuUs: cpu.user + cpu.system,
      oldGenBytes,
      ballast: ballast.length,
    });
  } else {
    process.exit(0);
  }
});
process.send?.(endpoint);
