/**
 * The typed `peer.call.method(input)` and `peer.emit.signal(payload)` proxies. One function per
 * name, made on first use and cached, so the proxy costs a Map lookup per call.
 */

/** A proxy whose every string property is `(arg, options) => invoke(name, arg, options)`. */
export function createNameProxy<R>(
  invoke: (name: string, arg: unknown, options: unknown) => R,
): Readonly<Record<string, (arg?: unknown, options?: unknown) => R>> {
  const cache = new Map<string, (arg?: unknown, options?: unknown) => R>();
  return new Proxy(Object.create(null), {
    get(_target, name) {
      // `then` must stay undefined, or `await peer.call` would call a method named "then".
      if (typeof name !== "string" || name === "then") return undefined;
      let fn = cache.get(name);
      if (fn === undefined) {
        fn = (arg?: unknown, options?: unknown) => invoke(name, arg, options);
        cache.set(name, fn);
      }
      return fn;
    },
  });
}
