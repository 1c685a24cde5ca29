import { linkSync } from "node:fs";
import { createServer, type Server as NetServer, connect as netConnect } from "node:net";
import { generateTestCertificates } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import { type Server, serve } from "../src/index.js";
import { tempSocketPath, testContract, testHandlers } from "./fixtures.js";

/** How often each race runs: enough that a wrong order shows up on every run. */
const ROUNDS = 60;

type Where = { port: number } | { path: string };

/** A TCP port nobody listens on right now (the kernel's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen({ host: "127.0.0.1", port: 0 }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Leaves a socket file nobody listens on at `path`, as a crashed server does. */
async function staleSocketAt(path: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(`${path}.tmp`, done));
  // Node removes the bind path when the server closes; the second name survives it.
  linkSync(`${path}.tmp`, path);
  await new Promise((done) => server.close(done));
}

/** The errno of a connect to `where`, or "connected" when something still accepts there. */
function connectOutcome(where: Where): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect("port" in where ? { host: "127.0.0.1", ...where } : where);
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Starts a plain server on `where`: resolves with it, or with the listen's errno. */
function plainListen(where: Where): Promise<NetServer | string> {
  return new Promise((resolve) => {
    const again = createServer();
    again.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    again.listen("port" in where ? { host: "127.0.0.1", ...where } : where, () => resolve(again));
  });
}

/**
 * Asserts that nothing listens at `where` and that it can be bound at once: a plain server takes
 * it and holds it until the raced `listen()` has settled, which must not have found it taken.
 */
async function expectReleased(where: Where, listening: Promise<unknown>): Promise<void> {
  const refused = "port" in where ? ["ECONNREFUSED"] : ["ECONNREFUSED", "ENOENT"];
  const successor = await plainListen(where);
  expect(typeof successor === "string" ? successor : "listening").toBe("listening");
  // A listen that began before close() either finished before it or was cut short by it.
  expect(["listened", "UNAVAILABLE"]).toContain(await listening);
  if (typeof successor !== "string") await new Promise((done) => successor.close(done));
  expect(refused).toContain(await connectOutcome(where));
}

/** Ways of spacing `close()` after `listen()`: same tick, a microtask, a macrotask, a short timer. */
const STAGGERS: readonly ((close: () => void) => void)[] = [
  (close) => close(),
  (close) => queueMicrotask(close),
  (close) => setImmediate(close),
  (close) => setTimeout(close, 1),
];

/**
 * Adds a listener at `url` to a running server and closes the server while (or right after) that
 * listen runs; once `closed` resolves (then `close()`), `where` must be free.
 */
async function raceListenAndClose(
  server: Server<typeof testContract>,
  url: string,
  where: Where,
  stagger: (close: () => void) => void,
): Promise<void> {
  const listening = server.listen(url).then(
    () => "listened",
    (error: { code?: string }) => error.code,
  );
  stagger(() => void server.close());
  await server.closed;
  await expectReleased(where, listening);
  await server.close();
}

function startServer(extra: object = {}): Promise<Server<typeof testContract>> {
  const path = tempSocketPath();
  return serve({
    url: `unix://${path}`,
    contract: testContract,
    handlers: testHandlers(),
    ...extra,
  }) as Promise<Server<typeof testContract>>;
}

describe("a listen() that races close()", () => {
  const certs = generateTestCertificates();

  it("releases a TCP port before closed resolves, however close() is spaced after listen()", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const port = await freePort();
      const stagger = STAGGERS[round % STAGGERS.length]!;
      await raceListenAndClose(await startServer(), `tcp://localhost:${port}`, { port }, stagger);
    }
  });

  it("removes a Unix socket before closed resolves, however close() is spaced after listen()", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const path = tempSocketPath();
      // A restart after a crash: the listen first probes the socket file left behind.
      await staleSocketAt(path);
      const stagger = STAGGERS[round % STAGGERS.length]!;
      await raceListenAndClose(await startServer(), `unix://${path}`, { path }, stagger);
    }
  });

  it("releases a TLS port before closed resolves, however close() is spaced after listen()", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const port = await freePort();
      const stagger = STAGGERS[round % STAGGERS.length]!;
      const server = await startServer({ tls: certs.server });
      await raceListenAndClose(server, `tls://localhost:${port}`, { port }, stagger);
    }
  });

  it("releases the port before closed resolves when destroy() races listen()", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const port = await freePort();
      const server = await startServer();
      const listening = server.listen(`tcp://localhost:${port}`).then(
        () => "listened",
        (error: { code?: string }) => error.code,
      );
      STAGGERS[round % STAGGERS.length]!(() => server.destroy());
      await server.closed;
      await expectReleased({ port }, listening);
    }
  });
});
