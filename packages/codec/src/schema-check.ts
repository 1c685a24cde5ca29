/**
 * One value checked against one schema of a contract, as a {@link ParseResult}: zod's verdict,
 * with its issues as {@link ContractValidationError} (the first {@link MAX_REPORTED_ISSUES}).
 * A schema that throws (zod lets a transform's or refine's throw through) refuses the value too:
 * the caller of a method whose input schema parses URLs must not be able to reset the connection
 * with a bad one. What was thrown stays on this side, as the error's cause.
 */
import { type $ZodType, safeParse } from "zod/v4/core";
import type { ParseResult } from "./contract-types.js";
import { type ContractErrorCode, ContractValidationError, type ValidationIssue } from "./errors.js";

/** Most issues a validation error carries (and sends as its wire `data`); the rest are counted. */
export const MAX_REPORTED_ISSUES = 20;

/** What the error of a schema that threw says: not what it threw, which may name internals. */
const SCHEMA_THREW: ValidationIssue = {
  path: [],
  message: "the schema threw while checking the value",
  code: "custom",
};

/** `value` checked against `schema`, a member of contract `contract` (for the error). */
export function checkSchema(
  schema: $ZodType,
  value: unknown,
  code: ContractErrorCode,
  contract: string,
  member: string,
): ParseResult<unknown> {
  let result: ReturnType<typeof safeParse>;
  try {
    result = safeParse(schema, value);
  } catch (thrown) {
    const details = { code, contract, member, issues: [SCHEMA_THREW], issueCount: 1 };
    return { ok: false, error: new ContractValidationError(details, { cause: thrown }) };
  }
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues;
  const error = new ContractValidationError({
    code,
    contract,
    member,
    issues: issues.slice(0, MAX_REPORTED_ISSUES).map(toValidationIssue),
    issueCount: issues.length,
  });
  return { ok: false, error };
}

function toValidationIssue(issue: {
  path: PropertyKey[];
  message: string;
  code: string;
}): ValidationIssue {
  return {
    path: issue.path.map((part) => (typeof part === "number" ? part : String(part))),
    message: issue.message,
    code: issue.code,
  };
}
