// A bidirectional stream: members of a chat room each hold one call open. What a member says goes
// up as the caller's items (`inputs`); what anyone says comes down as the handler's items. Ending
// one's inputs (half-close) leaves the room; the call then ends with how many lines one sent.
import { fileURLToPath } from "node:url";
import { connect, defineContract, serve, z } from "@parley/rpc";

const line = z.object({ from: z.string(), text: z.string() });

/** The contract both ends share. */
export const chatContract = defineContract({
  name: "chat",
  version: 1,
  requests: {
    join: {
      input: z.object({ room: z.string(), name: z.string() }),
      accepts: z.string(),
      yields: line,
      output: z.object({ sent: z.number() }),
      timeoutMs: 60_000,
    },
  },
});

type Line = z.infer<typeof line>;

/** One member's mailbox: lines pushed by the room, read by the member's generator. */
class Mailbox implements AsyncIterable<Line> {
  private readonly lines: Line[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  push(l: Line): void {
    this.lines.push(l);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Line> {
    for (;;) {
      const next = this.lines.shift();
      if (next !== undefined) yield next;
      else if (this.closed) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** Starts a chat server: rooms of mailboxes. */
export function startServer() {
  const rooms = new Map<string, Set<Mailbox>>();
  const broadcast = (room: Set<Mailbox>, l: Line) => {
    for (const member of room) member.push(l);
  };
  return serve({
    url: "tcp://127.0.0.1:0",
    contract: chatContract,
    handlers: {
      async *join({ room: roomName, name }, ctx) {
        const room = rooms.get(roomName) ?? new Set<Mailbox>();
        rooms.set(roomName, room);
        const mailbox = new Mailbox();
        room.add(mailbox);
        broadcast(room, { from: "room", text: `${name} joined` });
        let sent = 0;
        // Reading what the member says runs beside yielding what the room says.
        const reading = (async () => {
          for await (const text of ctx.inputs) {
            sent++;
            broadcast(room, { from: name, text });
          }
          mailbox.close(); // the member's half-close: it leaves once its mailbox is read
        })();
        reading.catch(() => {}); // awaited below; a cancelled call must not leave it unhandled
        try {
          for await (const l of mailbox) yield l;
          await reading;
          return { sent };
        } finally {
          room.delete(mailbox);
        }
      },
    },
  });
}

/** A member: joins, waits for `ready`, says `lines`, and leaves once it has seen `expected` lines. */
async function member(
  url: string,
  name: string,
  lines: string[],
  expected: number,
  ready: (seen: string[]) => boolean,
) {
  const client = await connect({ url, contract: chatContract });
  const seen: string[] = [];
  let onReady!: () => void;
  let onAllSeen!: () => void;
  const isReady = new Promise<void>((resolve) => (onReady = resolve));
  const allSeen = new Promise<void>((resolve) => (onAllSeen = resolve));
  async function* say() {
    await isReady;
    for (const text of lines) yield text;
    await allSeen;
  }
  const stream = client.stream.join({ room: "eu", name }, { inputs: say() });
  const joined = (async () => {
    for await (const l of stream) {
      seen.push(`${l.from}: ${l.text}`);
      if (ready(seen)) onReady();
      if (seen.length === expected) onAllSeen();
    }
    const { sent } = await stream.result;
    await client.close();
    return { seen, sent };
  })();
  return { joined, seen };
}

/** What the example did, for its test. */
export interface Result {
  alice: { seen: string[]; sent: number };
  bob: { seen: string[]; sent: number };
}

/** Alice and Bob chat in room "eu", then leave. */
export async function run(log: (line: string) => void): Promise<Result> {
  const server = await startServer();
  const bothJoined = (seen: string[]) => seen.includes("room: bob joined");
  const alice = await member(server.url, "alice", ["hi bob", "how are you?"], 6, bothJoined);
  while (!alice.seen.includes("room: alice joined")) await new Promise((r) => setTimeout(r, 1));
  const bob = await member(server.url, "bob", ["hi alice", "fine, thanks"], 5, bothJoined);
  const [a, b] = await Promise.all([alice.joined, bob.joined]);
  for (const l of a.seen) log(`alice sees ${l}`);
  log(`alice sent ${a.sent}, bob sent ${b.sent}`);
  await server.close();
  return { alice: a, bob: b };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
