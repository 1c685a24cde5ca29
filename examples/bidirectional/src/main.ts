// Both peers serve and call on one connection. The client calls `build`; while it runs, the server
// reports progress to the client with one-way signals and asks the client a question with a
// request the client implements, all on the connection the client opened. Clients may `watch` a
// target: the server pushes `finished` to its watchers, and forgets a watcher as soon as its
// connection closes. Afterwards the server pushes a signal to every connected client, outside any
// request. A plain client that serves no callbacks uses the same server.
import { fileURLToPath } from "node:url";
import {
  connect,
  defineContract,
  type HandlerContext,
  type Handlers,
  isParleyError,
  ServiceError,
  serve,
  z,
} from "@parley/rpc";
import { WatchRegistry } from "./watch-registry.js";

/** What the server serves (and the client calls). */
export const builds = defineContract({
  name: "builds",
  version: 1,
  requests: {
    build: {
      input: z.object({ target: z.string(), steps: z.int().min(1).max(20) }),
      output: z.object({ artifact: z.string(), steps: z.int() }),
    },
    /** Push `finished` to this connection whenever `target` is built. */
    watch: { input: z.string(), output: z.boolean() },
    /** How many connections watch `target` now. */
    watching: { input: z.string(), output: z.int() },
  },
});

/** What the client serves (and the server calls back). */
export const buildConsole = defineContract({
  name: "build-console",
  version: 1,
  requests: {
    approve: {
      input: z.object({ target: z.string(), summary: z.string() }),
      output: z.object({ approved: z.boolean() }),
    },
  },
  signals: {
    progress: z.object({ target: z.string(), step: z.int(), total: z.int() }),
    announce: z.string(),
    finished: z.object({ target: z.string(), artifact: z.string() }),
  },
});

/** What the example did, for its test. */
export interface Result {
  /** Artifact of the approved build. */
  artifact: string;
  /** Progress signals the client received, as `target step/total`, in arrival order. */
  progress: string[];
  /** Targets the server asked the client to approve. */
  asked: string[];
  /** The declined build's error code. */
  declinedCode: string;
  /** Signals pushed by the server outside any request. */
  announcements: string[];
  /** `finished` pushes the watching client received. */
  finished: string[];
  /** Watchers of `web` while the watching client was connected, and after it closed. */
  watchers: { before: number; after: number };
  /** What a plain client (no callback contract) got from `watch`. */
  plainWatch: boolean;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A connection as the build service's handlers see it: its `peer` is typed by `buildConsole`. */
type ConsoleConnection = HandlerContext<typeof buildConsole>["connection"];

/** The build service's handlers, typed outside serve() with the exported `Handlers` type. */
function buildHandlers(
  registry: WatchRegistry<ConsoleConnection>,
): Handlers<typeof builds, typeof buildConsole> {
  return {
    build: async ({ target, steps }, ctx) => {
      for (let step = 1; step <= steps; step++) {
        await tick(); // the work
        await ctx.peer.emit.progress({ target, step, total: steps }); // typed by `calls`
      }
      // A request back into the caller, typed by `calls`; it inherits this handler's deadline
      // and is cancelled with it.
      const { approved } = await ctx.peer.call.approve({ target, summary: `${steps} steps` });
      if (!approved) throw new ServiceError("NOT_APPROVED", `release of ${target} was declined`);
      const artifact = `${target}-1.0.0.tgz`;
      for (const watcher of registry.watchers(target)) {
        await watcher.peer.emit.finished({ target, artifact });
      }
      return { artifact, steps };
    },
    watch: (target, ctx) => {
      // A client that serves no callback contract cannot be pushed to: say so instead.
      if (!ctx.connection.servesCallbacks) return false;
      registry.watch(target, ctx.connection);
      return true;
    },
    watching: (target) => registry.watchers(target).length,
  };
}

/** The build service: serves `builds`, calls the client back through `buildConsole`. */
function startBuildServer(log: (line: string) => void) {
  return serve({
    url: "tcp://127.0.0.1:0",
    contract: builds,
    calls: buildConsole, // the server calls back clients that serve this contract
    handlers: buildHandlers(new WatchRegistry(log)),
  });
}

/** A client that calls `builds` and serves `buildConsole`, recording what the server sent it. */
function connectConsole(url: string, result: Result, log: (line: string) => void) {
  let announced: () => void = () => {};
  const announcement = new Promise<void>((resolve) => {
    announced = resolve;
  });
  const client = connect({
    url,
    contract: builds,
    serves: buildConsole, // ...and the client serves it
    handlers: {
      approve: ({ target, summary }) => {
        result.asked.push(target);
        const approved = target !== "database";
        log(`  server asks: release ${target} (${summary})? ${approved ? "yes" : "no"}`);
        return { approved };
      },
    },
    signalHandlers: {
      progress: ({ target, step, total }) => {
        result.progress.push(`${target} ${step}/${total}`);
        log(
          `  progress ${target}: ${"#".repeat(step)}${".".repeat(total - step)} ${step}/${total}`,
        );
      },
      announce: (text) => {
        result.announcements.push(text);
        log(`  server announces: ${text}`);
        announced();
      },
      finished: ({ target, artifact }) => {
        result.finished.push(`${target} ${artifact}`);
        log(`  watcher hears: ${target} finished (${artifact})`);
      },
    },
  });
  return { client, announcement };
}

/** Runs a build service and a client that watches its builds and approves (or declines) them. */
export async function run(log: (line: string) => void): Promise<Result> {
  const server = await startBuildServer(log);
  const result: Result = {
    artifact: "",
    progress: [],
    asked: [],
    declinedCode: "",
    announcements: [],
    finished: [],
    watchers: { before: 0, after: 0 },
    plainWatch: true,
  };
  const connecting = connectConsole(server.url, result, log);
  const client = await connecting.client;
  const plain = await connect({ url: server.url, contract: builds }); // serves no callbacks
  try {
    await client.call.watch("web");
    result.plainWatch = await plain.call.watch("web");
    log(`a plain client may not watch: watch() says ${result.plainWatch}`);
    log(`build web on ${server.url}`);
    const web = await client.call.build({ target: "web", steps: 4 });
    result.artifact = web.artifact;
    log(`  built ${web.artifact}`);

    log("build database");
    result.declinedCode = await client.call.build({ target: "database", steps: 2 }).then(
      () => "",
      (error: unknown) => (isParleyError(error) ? error.code : String(error)),
    );
    log(`  failed: ${result.declinedCode}`);

    // Server-initiated, outside any request: every live connection's peer calls the client.
    for (const connection of server.connections) {
      if (connection.servesCallbacks)
        await connection.peer.emit.announce("maintenance at 02:00 UTC");
    }
    await connecting.announcement;

    // The watcher leaves: the registry forgets it when its connection closes, before any push.
    result.watchers.before = await plain.call.watching("web");
    const left = new Promise((resolve) => server.once("disconnect", resolve));
    await client.close();
    await left;
    result.watchers.after = await plain.call.watching("web");
    log(
      `watchers of web: ${result.watchers.before} before the client left, ${result.watchers.after} after`,
    );
    return result;
  } finally {
    await client.close();
    await plain.close();
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
