import { MemoryConnection } from "./memory-connection.js";
import { type MemoryPairOptions, resolveMemoryPairOptions } from "./memory-pair-options.js";

/**
 * Creates two linked in-memory connections: what one end writes, the other receives. Each end
 * implements the `Connection` contract of `@parley/framing` the way a TCP socket does, so an engine
 * can be tested without sockets, and adds fault controls (`stopDelivery`, `crash`, re-cutting,
 * latency).
 * @throws {InvalidOptionError} `INVALID_OPTION` when an option breaks its rule.
 * @example
 * const [client, server] = createMemoryPair({ chunkBytes: 1 });
 * server.attach({ onData: (chunk) => server.write([chunk]), onEnd: () => server.end(),
 *   onDrain() {}, onClose() {} });
 */
export function createMemoryPair(
  options?: MemoryPairOptions,
): [MemoryConnection, MemoryConnection] {
  const resolved = resolveMemoryPairOptions(options);
  const first = new MemoryConnection(resolved, 0);
  const second = new MemoryConnection(resolved, 1, first);
  return [first, second];
}
