/**
 * One `abort` listener per AbortSignal for all of a peer's calls that share it, instead of one per
 * call. A signal handed to many calls at once (a service's shutdown signal, a request's signal
 * passed to each call it fans out to) is the common case, and Node's EventTarget makes a listener
 * dear: adding and removing one per call cost about 1 µs of client CPU per call at concurrency 256
 * (half of what the call costs), and past ten listeners Node warns of a leak
 * (MaxListenersExceededWarning) that is none. Here a call joins its signal's set, and the set's one
 * listener goes when the set empties. undici and grpc-js add one listener per request.
 */

/** What a watched signal's abort is delivered to (a call: the EventListener object form). */
export interface AbortListener {
  handleEvent(): void;
}

/** The members sharing one signal, and that signal's one listener. */
class SignalMembers<T extends AbortListener> implements AbortListener {
  readonly members = new Set<T>();

  constructor(
    private readonly watch: AbortWatch<T>,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * The abort: every member hears it, in the order they joined, even when one throws, and each
   * error is reported on its own, as Node's EventTarget reports each throwing listener's.
   */
  handleEvent(): void {
    // Forgotten first: members leaving as they settle find no entry and change nothing here.
    this.watch.forget(this.signal);
    for (const member of this.members) {
      try {
        member.handleEvent();
      } catch (error) {
        this.watch.report(error);
      }
    }
  }
}

/** How EventTarget reports a listener's throw: as an uncaught exception, after the dispatch. */
function reportUncaught(error: unknown): void {
  process.nextTick(rethrow, error);
}

function rethrow(error: unknown): never {
  throw error;
}

/** The signals a peer's calls listen to. */
export class AbortWatch<T extends AbortListener> {
  private readonly bySignal = new Map<AbortSignal, SignalMembers<T>>();

  /** `report` hears what a member throws as it hears an abort (tests pass their own). */
  constructor(readonly report: (error: unknown) => void = reportUncaught) {}

  /** Signals listened to now (for tests). */
  get size(): number {
    return this.bySignal.size;
  }

  /** `member` hears `signal`'s abort (once) until {@link unwatch}. The signal is not aborted yet. */
  watch(signal: AbortSignal, member: T): void {
    let entry = this.bySignal.get(signal);
    if (entry === undefined) {
      entry = new SignalMembers(this, signal);
      this.bySignal.set(signal, entry);
      signal.addEventListener("abort", entry, { once: true });
    }
    entry.members.add(member);
  }

  /** `member` no longer hears `signal`; the signal's listener goes with its last member. */
  unwatch(signal: AbortSignal, member: T): void {
    const entry = this.bySignal.get(signal);
    if (entry === undefined || !entry.members.delete(member) || entry.members.size > 0) return;
    this.forget(signal);
    signal.removeEventListener("abort", entry);
  }

  /** Drops `signal`'s entry (its listener has fired, or is being removed). */
  forget(signal: AbortSignal): void {
    this.bySignal.delete(signal);
  }
}
