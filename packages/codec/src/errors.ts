/**
 * Errors raised by @parley/codec. A codec error concerns one message body: the frame around it was
 * intact, so the call that carried it fails and the connection stays usable. The same holds for a
 * contract validation error.
 *
 * Codes are API: once released, a code is never renamed or reused. The README's error table,
 * {@link CODEC_ERROR_CODES} and {@link CONTRACT_ERROR_CODES} are kept in step by a test.
 */

import { ParleyError, type ParleyErrorOptions } from "@parley/framing";

/** Every code {@link CodecError} carries, in README order. */
export const CODEC_ERROR_CODES = [
  "CODEC_TRUNCATED",
  "CODEC_TRAILING_BYTES",
  "CODEC_INVALID_DATA",
  "CODEC_MAX_DEPTH",
  "CODEC_UNKNOWN_EXTENSION",
  "CODEC_FORBIDDEN_KEY",
  "CODEC_UNSUPPORTED_TYPE",
] as const;

/** Union of every code in {@link CODEC_ERROR_CODES}; `switch (err.code)` narrows on it. */
export type CodecErrorCode = (typeof CODEC_ERROR_CODES)[number];

/** Every code {@link ContractValidationError} carries, in README order. */
export const CONTRACT_ERROR_CODES = [
  "INVALID_ARGUMENT",
  "INVALID_RESPONSE",
  "INVALID_SIGNAL",
] as const;

/** Union of every code in {@link CONTRACT_ERROR_CODES}. */
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number];

/**
 * The code {@link toWireError} sends when a handler throws something without a code of its own
 * (a plain `Error`, a string, ...). The caller sees it as a {@link RemoteError} with this code.
 */
export const INTERNAL_ERROR_CODE = "INTERNAL";

/** Options a {@link CodecError} accepts besides `cause`. */
export interface CodecErrorOptions extends ParleyErrorOptions {
  /** Byte offset in the input where decoding stopped, for decode errors. */
  offset?: number | undefined;
}

/** Bytes could not be decoded, or a value could not be encoded. Never retryable: the same input fails again. */
export class CodecError extends ParleyError {
  override readonly name = "CodecError";
  readonly code: CodecErrorCode;
  /** Byte offset in the input where decoding stopped; `undefined` for encode errors. */
  readonly offset: number | undefined;

  constructor(code: CodecErrorCode, message: string, options: CodecErrorOptions = {}) {
    super(message, { ...options, retryable: false });
    this.code = code;
    this.offset = options.offset;
  }
}

/** One schema violation, as carried in {@link ContractValidationError.issues} and over the wire. */
export interface ValidationIssue {
  /** Where in the value: object keys and array indexes from the root; `[]` is the value itself. */
  readonly path: readonly (string | number)[];
  /** zod's message, e.g. `Invalid input: expected number, received string`. */
  readonly message: string;
  /** zod's issue code, e.g. `invalid_type`, `too_small`. */
  readonly code: string;
}

/** Where a {@link ContractValidationError} arose, for its message and for logs. */
export interface ContractValidationDetails {
  /** `INVALID_ARGUMENT` (request input), `INVALID_RESPONSE` (response output) or `INVALID_SIGNAL`. */
  readonly code: ContractErrorCode;
  /** Contract name. */
  readonly contract: string;
  /** Request method or signal name. */
  readonly member: string;
  /** The issues, at most `MAX_REPORTED_ISSUES`. */
  readonly issues: readonly ValidationIssue[];
  /** How many issues zod reported in all (may exceed `issues.length`). */
  readonly issueCount: number;
}

/**
 * A message body broke its contract schema: a request input (`INVALID_ARGUMENT`), a response output
 * (`INVALID_RESPONSE`) or a signal payload (`INVALID_SIGNAL`). It fails that one call or drops that
 * one signal; the connection stays up. `data` is the same array as `issues`, so the wire form
 * ({@link toWireError}) carries them to the caller.
 */
export class ContractValidationError extends ParleyError {
  override readonly name = "ContractValidationError";
  readonly code: ContractErrorCode;
  /** Contract name. */
  readonly contract: string;
  /** Request method or signal name. */
  readonly member: string;
  /** Path, message and zod code of each issue (the first `MAX_REPORTED_ISSUES`). */
  readonly issues: readonly ValidationIssue[];
  /** Same array as {@link ContractValidationError.issues}; sent as the wire error's `data`. */
  readonly data: readonly ValidationIssue[];

  constructor(details: ContractValidationDetails, options: ParleyErrorOptions = {}) {
    super(summarise(details), { ...options, retryable: false });
    this.code = details.code;
    this.contract = details.contract;
    this.member = details.member;
    this.issues = details.issues;
    this.data = details.issues;
  }
}

/** Issues quoted in a validation error's message; the rest are counted. */
const ISSUES_IN_MESSAGE = 3;

const SUBJECT: Record<ContractErrorCode, string> = {
  INVALID_ARGUMENT: "request input",
  INVALID_RESPONSE: "response output",
  INVALID_SIGNAL: "signal payload",
};

function summarise(details: ContractValidationDetails): string {
  const quoted = details.issues
    .slice(0, ISSUES_IN_MESSAGE)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = details.issueCount - quoted.length;
  const tail = more > 0 ? ` (+${more} more)` : "";
  const subject = SUBJECT[details.code];
  return `invalid ${subject} for ${details.contract}.${details.member}: ${quoted.join("; ")}${tail}`;
}

/** Renders `["items", 0, "name"]` as `items[0].name`, and `[]` as `(root)`. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * An error a remote handler raised, as it arrived over the wire: the remote's `code`, `message` and
 * `data`, nothing else (stacks never cross the wire). Built by {@link fromWireError}.
 */
export class RemoteError extends ParleyError {
  override readonly name = "RemoteError";
  /** Whatever code the remote sent: a {@link ServiceError} code, `INVALID_ARGUMENT`, `INTERNAL`, ... */
  readonly code: string;
  /** Structured details the remote attached, if any. */
  readonly data: unknown;

  constructor(code: string, message: string, data?: unknown, options: ParleyErrorOptions = {}) {
    super(message, options);
    this.code = code;
    this.data = data;
  }
}

/**
 * Throw this from a handler to send a coded error: its `code`, `message` and `data` reach the caller
 * as they are (in a {@link RemoteError}). Pass `{ retryable: true }` when calling again may succeed.
 *
 * @example
 * ```ts
 * throw new ServiceError("NOT_FOUND", `no user ${id}`, { id });
 * ```
 */
export class ServiceError extends ParleyError {
  override readonly name = "ServiceError";
  /** Your code, e.g. `NOT_FOUND`; callers match on it. */
  readonly code: string;
  /** Structured details for the caller; must be encodable by the connection's codec. */
  readonly data: unknown;

  constructor(code: string, message: string, data?: unknown, options: ParleyErrorOptions = {}) {
    super(message, options);
    this.code = code;
    this.data = data;
  }
}
