/**
 * The typed `peer.call.method(input)` and `peer.emit.signal(payload)` proxies. The names a contract
 * declares are plain own properties, each one function made once: a call through them costs a
 * property load, as a hand-written client would. Any other name falls through to a Proxy on the
 * prototype chain, so an undeclared (or, without a contract, any) name still gives a function
 * whose call is refused or sent as usual; the Proxy trap runs only for those.
 */

/** What a name proxy holds: a function per name. */
export type NameProxy<R> = Readonly<Record<string, (arg?: unknown, options?: unknown) => R>>;

/**
 * An object whose every string property is `(arg, options) => invoke(name, arg, options)`, with
 * `knownNames` as own properties. `then` stays undefined, or `await peer.call` would call a method
 * named "then" and never settle.
 */
export function createNameProxy<R>(
  invoke: (name: string, arg: unknown, options: unknown) => R,
  knownNames: readonly string[] = [],
): NameProxy<R> {
  const made = new Map<string, (arg?: unknown, options?: unknown) => R>();
  const functionFor = (name: string) => {
    let fn = made.get(name);
    if (fn === undefined) {
      fn = (arg?: unknown, options?: unknown) => invoke(name, arg, options);
      made.set(name, fn);
    }
    return fn;
  };
  const fallback = new Proxy(Object.create(null), {
    get(_target, name) {
      if (typeof name !== "string" || name === "then") return undefined;
      return functionFor(name);
    },
  });
  const names: Record<string, (arg?: unknown, options?: unknown) => R> = Object.create(fallback);
  for (const name of knownNames) {
    if (name !== "then") names[name] = functionFor(name);
  }
  return Object.freeze(names);
}
