/**
 * A TCP port whose accept queue is full: a connect to it gets no answer at all (its SYNs are
 * dropped) until the connector's own timeout, as with a host that went away mid-route. For tests
 * of connect timeouts and of giving up a connect under way.
 *
 * The listener runs in Python because Node accepts every connection itself; it never accepts,
 * its backlog is 0, and a few connects from here fill its queue.
 */
import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";

/** A port that never answers a connect; `close()` stops the listener. */
export interface Blackhole {
  readonly port: number;
  close(): void;
}

const LISTENER_PY = `
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(0)
print(s.getsockname()[1], flush=True)
sys.stdin.read()
`;

/** Connects that fill a backlog of 0 on Linux (it holds backlog + 1, with room to spare). */
const FILLERS = 4;

/**
 * Starts a blackhole on 127.0.0.1: on `port` (0, the default, picks a free one; a port a server
 * just released may be taken again).
 * @throws when `python3` cannot be started or cannot bind the port
 */
export async function startBlackhole(port = 0): Promise<Blackhole> {
  const child = spawn("python3", ["-c", LISTENER_PY, String(port)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const bound = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`blackhole listener exited (${code})`)));
    child.stdout.once("data", (data) => resolve(Number(String(data).trim())));
  });
  const fillers: Socket[] = [];
  for (let i = 0; i < FILLERS; i++) {
    const filler = connect({ host: "127.0.0.1", port: bound });
    filler.on("error", () => {});
    fillers.push(filler);
  }
  return {
    port: bound,
    close: () => {
      for (const filler of fillers) filler.destroy();
      child.stdin.end();
      child.kill();
    },
  };
}
