/** Per-call checks done before a call or signal is queued (cheap: no allocation on the good path). */
import { InvalidOptionError } from "@parley/framing";
import { UnimplementedError } from "./errors.js";
import { describe, MAX_TIMER_MS } from "./option-rules.js";
import type { CallOptions } from "./peer-types.js";
import type { RuntimeContract } from "./runtime-contract.js";

/** Why `request(method, input, options)` cannot start, or undefined. */
export function checkCallOptions(
  method: string,
  input: unknown,
  options: CallOptions | undefined,
  contract: RuntimeContract | undefined,
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
  if (!contract.validateOutbound) return undefined;
  const checked = contract.checkOutboundInput(method, input);
  return checked.ok ? undefined : checked.error;
}

/** Why `signal(name, payload)` cannot be sent, or undefined. */
export function checkSignal(
  name: string,
  payload: unknown,
  contract: RuntimeContract | undefined,
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
  if (!contract.validateOutbound) return undefined;
  const checked = contract.checkOutboundSignal(name, payload);
  return checked.ok ? undefined : checked.error;
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
