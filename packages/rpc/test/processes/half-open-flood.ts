/**
 * A flood of half-open connections to a loopback server: `connections` sockets at once, each sending
 * the first 3 bytes of a frame's length prefix and nothing more; a socket the server cuts is
 * reopened at once, until `durationMs` has passed. Prints `flooding` once every socket has been
 * opened, then on exit (at the end, or on SIGTERM) `opened <n> cut <n>`.
 * Usage: half-open-flood.ts <port> <connections> <durationMs>
 */
import { connect, type Socket } from "node:net";

const [port, connections, durationMs] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
];
const endAt = Date.now() + durationMs;
const sockets = new Set<Socket>();
let opened = 0;
let cut = 0;
let announced = false;

function open(): void {
  if (Date.now() >= endAt) return;
  opened++;
  const socket = connect({ host: "127.0.0.1", port });
  sockets.add(socket);
  socket.on("connect", () => socket.write(Uint8Array.of(0, 0, 0)));
  socket.on("data", () => {}); // whatever the server says is read and ignored
  socket.on("error", () => {});
  socket.on("close", () => {
    sockets.delete(socket);
    cut++;
    // Reopened on the next turn: the flood keeps `connections` open for its whole duration.
    setImmediate(open);
  });
  if (!announced && opened >= connections) {
    announced = true;
    console.log("flooding");
  }
}

for (let i = 0; i < connections; i++) open();
function finish(): void {
  console.log(`opened ${opened} cut ${cut}`);
  for (const socket of sockets) socket.destroy();
  process.exit(0);
}
setTimeout(finish, durationMs).unref();
process.on("SIGTERM", finish);
