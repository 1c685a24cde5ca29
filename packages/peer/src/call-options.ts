/** Per-call checks done before a call or signal is queued (cheap: no allocation on the good path). */

import type { AnyContract } from "@parley/codec";
import { InvalidOptionError } from "@parley/framing";
import { describe, MAX_TIMER_MS } from "@parley/framing/internal";
import { UnimplementedError } from "./errors.js";
import type { CallOptions } from "./peer-types.js";

/**
 * Why `request(method, input, options)` cannot start, or undefined. `checked` is the contract
 * whose outbound checks run: `contract` when its validateOutbound is on (resolved once, with the
 * options), else undefined.
 */
export function checkCallOptions(
  method: string,
  input: unknown,
  options: CallOptions | undefined,
  contract: AnyContract | undefined,
  checked: AnyContract | undefined,
): Error | undefined {
  if (typeof method !== "string" || method === "") {
    return new InvalidOptionError(`method must be a non-empty string (got ${describe(method)})`);
  }
  if (options !== undefined) {
    const problem = checkOptions(options);
    if (problem !== undefined) return problem;
  }
  if (contract === undefined) return undefined;
  if (!contract.hasRequest(method)) {
    return new UnimplementedError(
      `method ${method} is not in contract ${contract.name} (the contract this peer calls)`,
    );
  }
  const result = checked?.checkOutboundInput(method, input);
  return result === undefined || result.ok ? undefined : result.error;
}

/** Why `signal(name, payload)` cannot be sent, or undefined. `checked` as in checkCallOptions. */
export function checkSignal(
  name: string,
  payload: unknown,
  contract: AnyContract | undefined,
  checked: AnyContract | undefined,
): Error | undefined {
  if (typeof name !== "string" || name === "") {
    return new InvalidOptionError(`signal name must be a non-empty string (got ${describe(name)})`);
  }
  if (contract === undefined) return undefined;
  if (!contract.hasSignal(name)) {
    return new UnimplementedError(
      `signal ${name} is not in contract ${contract.name} (the contract this peer calls)`,
    );
  }
  const result = checked?.checkOutboundSignal(name, payload);
  return result === undefined || result.ok ? undefined : result.error;
}

/** One signal that aborts when either does (`undefined` when neither is given). */
export function linkSignals(
  own: AbortSignal | undefined,
  parent: AbortSignal | undefined,
): AbortSignal | undefined {
  if (own === undefined) return parent;
  if (parent === undefined) return own;
  return AbortSignal.any([own, parent]);
}

function checkOptions(options: CallOptions): Error | undefined {
  if (typeof options !== "object" || options === null) {
    return new InvalidOptionError(`call options must be an object (got ${describe(options)})`);
  }
  const { timeoutMs, signal, metadata } = options;
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== "number" || !(timeoutMs > 0) || timeoutMs > MAX_TIMER_MS)
  ) {
    return new InvalidOptionError(
      `timeoutMs must be a number from 1 to ${MAX_TIMER_MS} (got ${describe(timeoutMs)}); every call has a deadline`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    return new InvalidOptionError(`signal must be an AbortSignal (got ${describe(signal)})`);
  }
  if (metadata !== undefined && (typeof metadata !== "object" || metadata === null)) {
    return new InvalidOptionError(
      `metadata must be an object of strings (got ${describe(metadata)})`,
    );
  }
  return undefined;
}
