// The server of large-echo.ts: raw node:net's echo server (the e2e baseline), optionally with a
// module imported first and never used. It reports its garbage collections, minor page faults and
// CPU time over the measured window.
import { constants, PerformanceObserver } from "node:perf_hooks";
import { system as raw } from "../systems/raw.js";

const [path, preload] = process.argv.slice(2) as [string, string];
if (preload !== "") await import(preload);

let majorGcs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
  }
}).observe({ entryTypes: ["gc"] });

await raw.startServer({ transport: "unix", path });
let start = { cpu: process.cpuUsage(), faults: 0 };
process.on("message", (message: string) => {
  if (message === "start") {
    majorGcs = 0;
    start = { cpu: process.cpuUsage(), faults: process.resourceUsage().minorPageFault };
    process.send?.("started");
  } else if (message === "stop") {
    const cpu = process.cpuUsage(start.cpu);
    const faults = process.resourceUsage().minorPageFault - start.faults;
    process.send?.({ majorGcs, faults, cpuUs: cpu.user + cpu.system });
  } else {
    process.exit(0);
  }
});
process.send?.("ready");
