/**
 * Entry point of a server child process: starts one system's echo servers and reports its own CPU
 * time when asked. Nothing else runs in this process, so its CPU time is the server's cost.
 */
import { catalogEntry } from "../systems/catalog.js";
import type { EchoServer } from "../systems/system.js";
import { collectGarbage, errorText, withTimeout } from "./child-util.js";
import { cpuNow, type ServerRequest, type StartedListeners, serveRequests } from "./ipc.js";

const STOP_TIMEOUT_MS = 3_000;
const servers: EchoServer[] = [];

async function start(
  request: Extract<ServerRequest, { type: "start" }>,
): Promise<StartedListeners> {
  const system = await catalogEntry(request.system).load();
  const started: StartedListeners = {};
  for (const listen of request.listen) {
    if (!system.transports.includes(listen.transport)) {
      started[listen.transport] = { error: `${system.name} does not support ${listen.transport}` };
      continue;
    }
    try {
      const server = await system.startServer(listen);
      servers.push(server);
      started[listen.transport] = { endpoint: server.endpoint };
    } catch (error) {
      started[listen.transport] = { error: errorText(error) };
    }
  }
  return started;
}

async function stop(): Promise<null> {
  await withTimeout(Promise.allSettled(servers.map((server) => server.close())), STOP_TIMEOUT_MS);
  // Exit after the reply has been sent.
  setTimeout(() => process.exit(0), 50).unref();
  return null;
}

serveRequests<ServerRequest>(async (request) => {
  switch (request.type) {
    case "start":
      return start(request);
    case "cpu":
      if (request.collectGarbage) collectGarbage();
      return cpuNow();
    case "stop":
      return stop();
  }
});
