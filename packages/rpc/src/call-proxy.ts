import type { AnyContract, ContractCaller } from "@parley/codec";
import type { MethodOf } from "@parley/peer";
import type { ClientCallOptions } from "./client-options.js";

/** What the proxy forwards to: `request(method, input, options)`. */
export interface Requester<C extends AnyContract> {
  request(method: MethodOf<C>, input: never, options?: ClientCallOptions): Promise<unknown>;
}

/**
 * The typed `call` proxy: `client.call.add(input)` is `client.request("add", input)`. One function
 * per method, made on first use and cached, so a call costs no closure.
 */
export function createCaller<C extends AnyContract>(
  target: Requester<C>,
): ContractCaller<C, ClientCallOptions> {
  const cache = new Map<
    string,
    (input: unknown, options?: ClientCallOptions) => Promise<unknown>
  >();
  return new Proxy(Object.create(null), {
    get(_target, method) {
      if (typeof method !== "string") return undefined;
      let fn = cache.get(method);
      if (fn === undefined) {
        fn = (input, options) => target.request(method as MethodOf<C>, input as never, options);
        cache.set(method, fn);
      }
      return fn;
    },
  }) as ContractCaller<C, ClientCallOptions>;
}
