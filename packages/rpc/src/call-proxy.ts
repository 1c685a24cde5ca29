import type { AnyContract, ContractCaller } from "@parley/codec";
import type { MethodOf } from "@parley/peer";
import { createNameProxy } from "@parley/peer/internal";
import type { ClientCallOptions } from "./client-options.js";

/** What the proxy forwards to: `request(method, input, options)`. */
export interface Requester<C extends AnyContract> {
  request(method: MethodOf<C>, input: never, options?: ClientCallOptions): Promise<unknown>;
}

/**
 * The typed `call` object: `client.call.add(input)` is `client.request("add", input)`. The
 * contract's methods are plain properties (a property load per call, no Proxy trap); another name
 * still gives a function, whose call is refused as `UNIMPLEMENTED` like `request()` would be.
 */
export function createCaller<C extends AnyContract>(
  target: Requester<C>,
  contract: C,
): ContractCaller<C, ClientCallOptions> {
  return createNameProxy(
    (method, input, options) =>
      target.request(method as MethodOf<C>, input as never, options as ClientCallOptions),
    contract.requestNames,
  ) as unknown as ContractCaller<C, ClientCallOptions>;
}
