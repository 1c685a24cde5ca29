/**
 * The Auth frame of protocol 1.2 (docs/protocol.md §3, §5): kind fields `step u8`, `binding u8`,
 * then a fixed 32-byte nonce and/or a fixed 32-byte proof depending on the step. Every field has a
 * fixed size, so a receiver knows the whole frame from its step; bytes after the fields are
 * extensions of later minors, ignored as for the other control frames.
 */
import { InvalidOptionError } from "@parley/framing";
import {
  AUTH_NONCE_BYTES,
  AUTH_PROOF_BYTES,
  AuthBinding,
  AuthStep,
  Kind,
} from "./wire-constants.js";
import type { AuthMessage } from "./wire-messages.js";

/** What parsing an Auth frame needs of the frame parser's cursor. */
export interface AuthReader {
  u8(): number;
  /** The next `n` bytes, copied (the message outlives the received chunk). */
  take(n: number): Uint8Array;
  fail(message: string): never;
}

/** Whether a step carries a nonce, a proof. */
const CARRIES: Readonly<Record<number, readonly [nonce: boolean, proof: boolean]>> = {
  [AuthStep.Challenge]: [true, false],
  [AuthStep.ConnectorProof]: [true, true],
  [AuthStep.AcceptorProof]: [false, true],
};

/** @throws {ProtocolError} (through `r.fail`) for an unknown step or binding, or a short frame. */
export function parseAuth(r: AuthReader): AuthMessage {
  const step = r.u8();
  const binding = r.u8();
  const carries = CARRIES[step];
  if (carries === undefined) r.fail(`Auth has unknown step 0x${hex(step)}`);
  if (binding !== AuthBinding.None && binding !== AuthBinding.TlsExporter) {
    r.fail(`Auth has unknown binding 0x${hex(binding)}`);
  }
  const nonce = carries[0] ? r.take(AUTH_NONCE_BYTES) : undefined;
  const proof = carries[1] ? r.take(AUTH_PROOF_BYTES) : undefined;
  return { kind: Kind.Auth, step: step as AuthStep, binding, nonce, proof };
}

/**
 * The kind fields of `m` (after the common header).
 * @throws {InvalidOptionError} INVALID_OPTION when a nonce or proof is missing or not 32 bytes.
 */
export function authFields(m: AuthMessage): Uint8Array {
  const carries = CARRIES[m.step];
  if (carries === undefined) throw new InvalidOptionError(`unknown Auth step ${m.step}`);
  const parts: Uint8Array[] = [Uint8Array.of(m.step, m.binding)];
  if (carries[0]) parts.push(fixed(m.nonce, AUTH_NONCE_BYTES, "nonce"));
  if (carries[1]) parts.push(fixed(m.proof, AUTH_PROOF_BYTES, "proof"));
  return Buffer.concat(parts);
}

function fixed(bytes: Uint8Array | undefined, size: number, what: string): Uint8Array {
  if (bytes?.length !== size) {
    throw new InvalidOptionError(`an Auth frame's ${what} must be ${size} bytes`);
  }
  return bytes;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}
