import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ConformanceTarget, describeTransportConformance } from "@parley/testkit";
import {
  connectTcp,
  connectUnix,
  type Listener,
  listenTcp,
  listenUnix,
  type SocketConnection,
} from "../src/index.js";

/**
 * A conformance target over one shared listener: each pair is one fresh connection to it. Pairs
 * are opened one at a time, so the next accepted connection belongs to the latest connect.
 */
function target(
  name: string,
  listen: (onConnection: (c: SocketConnection) => void) => Promise<Listener>,
  connect: () => Promise<SocketConnection>,
  extra: Partial<ConformanceTarget> & { cleanup?: () => void } = {},
): ConformanceTarget {
  let listener: Listener | undefined;
  let nextAccepted: ((connection: SocketConnection) => void) | undefined;
  return {
    name,
    resetErrorCodes: ["CONNECTION_RESET"],
    ...extra,
    async openPair() {
      listener ??= await listen((connection) => nextAccepted?.(connection));
      const accepted = new Promise<SocketConnection>((resolve) => {
        nextAccepted = resolve;
      });
      const client = await connect();
      const server = await accepted;
      return {
        client,
        server,
        close: async () => {
          client.reset();
          server.reset();
        },
      };
    },
    async teardown() {
      await listener?.close();
      listener = undefined;
      extra.cleanup?.();
    },
  };
}

let tcpPort = 0;
describeTransportConformance(
  target(
    "tcp",
    async (onConnection) => {
      const listener = await listenTcp({}, onConnection);
      tcpPort = listener.address.port;
      return listener;
    },
    () => connectTcp({ host: "127.0.0.1", port: tcpPort }),
  ),
);

const dir = mkdtempSync(join(tmpdir(), "pl-"));
const path = join(dir, "conformance.sock");
describeTransportConformance(
  target(
    "unix",
    (onConnection) => listenUnix({ path }, onConnection),
    () => connectUnix({ path }),
    {
      // Unix sockets have no RST: the peer of a reset sees an end of stream.
      resetIsVisibleToPeer: false,
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    },
  ),
);
