/** Two peers over the `feed` contract, one serving it with handlers that do the plain thing. */
import { feed } from "./contracts.js";
import { peerPair } from "./peer-pair.js";

export type FeedHandlers = NonNullable<Parameters<typeof peerPair<typeof feed>>[0]["handlers"]>;

const base: FeedHandlers = {
  add: (n) => n + 1,
  async *tail(n) {
    for (let i = 0; i < n; i++) yield `line ${i}`;
    return n;
  },
  async upload(_name, ctx) {
    let total = 0;
    for await (const chunk of ctx.inputs) total += chunk.length;
    return total;
  },
  async *chat(_room, ctx) {
    for await (const m of ctx.inputs) yield `echo ${m}`;
  },
};

/** A server serving `feed` (`handlers` over the plain ones) and a client calling it. */
export function feedPair(handlers: Partial<FeedHandlers> = {}, server = {}, client = {}) {
  return peerPair(
    { serves: feed, handlers: { ...base, ...handlers }, ...server },
    { calls: feed, ...client },
  );
}
