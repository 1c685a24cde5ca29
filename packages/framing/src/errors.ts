/**
 * Errors raised by @parley/framing. A framing error means the byte stream is corrupt or cut short:
 * the decoder that threw is unusable afterwards and the connection should be closed (a corrupt
 * header leaves no way to find the next frame boundary).
 *
 * Codes are API: once released, a code is never renamed or reused. The README's error table and
 * {@link FRAMING_ERROR_CODES} are kept in step by a test.
 */

import { ParleyError, type ParleyErrorOptions } from "./parley-error.js";

/** Every code this package raises, in README order. */
export const FRAMING_ERROR_CODES = [
  "FRAME_TOO_LARGE",
  "FRAME_LENGTH_INVALID",
  "FRAME_TRUNCATED",
  "LINE_TOO_LONG",
  "INVALID_OPTION",
] as const;

/** Union of every code in {@link FRAMING_ERROR_CODES}; `switch (err.code)` narrows on it. */
export type FramingErrorCode = (typeof FRAMING_ERROR_CODES)[number];

/** Options every framing error accepts besides `cause`. */
export interface FramingErrorOptions extends ParleyErrorOptions {
  /** What the first bytes of the stream look like, when {@link sniffProtocol} recognised them. */
  detectedProtocol?: string | undefined;
  /** A printable rendering of the stream's first bytes, quoted in the message with the protocol. */
  sample?: string | undefined;
}

/** Base class of the errors a decoder or encoder raises about the byte stream itself. */
export abstract class FramingError extends ParleyError {
  abstract override readonly code: Exclude<FramingErrorCode, "INVALID_OPTION">;
  /** Protocol the peer appears to speak (`"HTTP/1.x"`, `"TLS"`, ...) when the error hit the first frame. */
  readonly detectedProtocol: string | undefined;

  constructor(message: string, options: FramingErrorOptions = {}) {
    super(withDiagnosis(message, options), options);
    this.detectedProtocol = options.detectedProtocol;
  }
}

/** A frame's declared size is above `maxFrameBytes` (on decode, checked before any byte of it is buffered). */
export class FrameTooLargeError extends FramingError {
  override readonly name = "FrameTooLargeError";
  readonly code = "FRAME_TOO_LARGE" as const;
  /** Size the frame declared (decode) or the payload has (encode), in bytes after the length field. */
  readonly declaredBytes: number;
  /** The limit in force. */
  readonly maxFrameBytes: number;

  constructor(
    details: { declaredBytes: number; maxFrameBytes: number; direction: "decode" | "encode" },
    options: FramingErrorOptions = {},
  ) {
    const what = details.direction === "decode" ? "frame declares" : "payload has";
    super(
      `${what} ${details.declaredBytes} bytes, more than maxFrameBytes (${details.maxFrameBytes}); ` +
        "raise maxFrameBytes on both peers or send smaller messages",
      options,
    );
    this.declaredBytes = details.declaredBytes;
    this.maxFrameBytes = details.maxFrameBytes;
  }
}

/**
 * A length field is impossible under the configured layout: negative after `lengthAdjustment`,
 * shorter than `initialBytesToStrip`, or (on encode) too big for `lengthFieldLength` bytes.
 */
export class FrameLengthInvalidError extends FramingError {
  override readonly name = "FrameLengthInvalidError";
  readonly code = "FRAME_LENGTH_INVALID" as const;
  /** The raw value of the length field (decode) or the value that would have been written (encode). */
  readonly lengthFieldValue: number;

  constructor(message: string, lengthFieldValue: number, options: FramingErrorOptions = {}) {
    super(message, options);
    this.lengthFieldValue = lengthFieldValue;
  }
}

/** The stream ended in the middle of a frame (or, for delimited streams, of a line). */
export class FrameTruncatedError extends FramingError {
  override readonly name = "FrameTruncatedError";
  readonly code = "FRAME_TRUNCATED" as const;
  /** Bytes the unfinished frame needed in all; `undefined` for a line (its end was never seen). */
  readonly expectedBytes: number | undefined;
  /** Bytes of the unfinished frame that did arrive. */
  readonly receivedBytes: number;

  constructor(
    details: { expectedBytes: number | undefined; receivedBytes: number; unit: string },
    options: FramingErrorOptions = {},
  ) {
    const { expectedBytes, receivedBytes, unit } = details;
    const need = expectedBytes === undefined ? "" : ` of ${expectedBytes}`;
    super(
      `stream ended inside a ${unit}: received ${receivedBytes}${need} bytes; ` +
        "the peer closed or crashed mid-write",
      options,
    );
    this.expectedBytes = expectedBytes;
    this.receivedBytes = receivedBytes;
  }
}

/** A delimited line grew past `maxLineBytes` without its delimiter. */
export class LineTooLongError extends FramingError {
  override readonly name = "LineTooLongError";
  readonly code = "LINE_TOO_LONG" as const;
  /** The limit in force. */
  readonly maxLineBytes: number;
  /** Bytes of the line seen so far (at least this many; the delimiter may still be missing). */
  readonly receivedBytes: number;

  constructor(
    details: { maxLineBytes: number; receivedBytes: number },
    options: FramingErrorOptions = {},
  ) {
    super(
      `line of ${details.receivedBytes}+ bytes without a delimiter exceeds maxLineBytes ` +
        `(${details.maxLineBytes}); raise maxLineBytes or check the delimiter`,
      options,
    );
    this.maxLineBytes = details.maxLineBytes;
    this.receivedBytes = details.receivedBytes;
  }
}

// A recognised protocol is the likelier explanation than an absurd length, so it leads the message.
function withDiagnosis(message: string, options: FramingErrorOptions): string {
  if (options.detectedProtocol === undefined) return message;
  const seen = options.sample === undefined ? "" : ` (first bytes: ${options.sample})`;
  return (
    `peer appears to speak ${options.detectedProtocol}, which this decoder cannot read${seen}; ` +
    "wrong port? Otherwise: " +
    message
  );
}
