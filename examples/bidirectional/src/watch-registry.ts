// Who watches which build target. A watcher is the connection that asked: the registry forgets it
// the moment that connection closes (its `closed` promise), so no push ever goes to a client that
// is gone and nothing waits for a failed push to find out.

/** What the registry needs of a connection (an `RpcConnection`, e.g. `ctx.connection`). */
export interface Watcher {
  readonly id: number;
  readonly closed: Promise<unknown>;
}

export class WatchRegistry<W extends Watcher> {
  private readonly byTarget = new Map<string, Set<W>>();

  constructor(private readonly log: (line: string) => void = () => {}) {}

  /** Adds `connection` as a watcher of `target` until it closes. */
  watch(target: string, connection: W): void {
    let watchers = this.byTarget.get(target);
    if (watchers === undefined) {
      watchers = new Set();
      this.byTarget.set(target, watchers);
    }
    if (watchers.has(connection)) return;
    watchers.add(connection);
    void connection.closed.then(() => {
      watchers.delete(connection);
      this.log(`  watcher ${connection.id} left; ${watchers.size} watching ${target}`);
    });
  }

  /** The live connections watching `target`. */
  watchers(target: string): readonly W[] {
    return [...(this.byTarget.get(target) ?? [])];
  }
}
