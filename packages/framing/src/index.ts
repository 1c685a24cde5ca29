export type { Connection, ConnectionHandlers } from "./connection.js";
export { decodeFrames } from "./decode-frames.js";
export type { DelimiterDecoderOptions } from "./delimiter-decoder.js";
export {
  DEFAULT_DELIMITER,
  DEFAULT_MAX_LINE_BYTES,
  DelimiterDecoder,
} from "./delimiter-decoder.js";
export type { FramingErrorCode, FramingErrorOptions } from "./errors.js";
export {
  FRAMING_ERROR_CODES,
  FrameLengthInvalidError,
  FrameTooLargeError,
  FrameTruncatedError,
  FramingError,
  LineTooLongError,
} from "./errors.js";
export type { FrameDecoder, FrameHandler, FrameSpan, FrameSpanHandler } from "./frame-decoder.js";
export type {
  FrameDecoderSourceOptions,
  FrameDecoderStreamOptions,
  FrameEncoderStreamOptions,
} from "./frame-streams.js";
export { createFrameDecoderStream, createFrameEncoderStream } from "./frame-streams.js";
export { LengthFieldDecoder } from "./length-field-decoder.js";
export { LengthFieldEncoder } from "./length-field-encoder.js";
export type {
  ByteOrder,
  LengthFieldLength,
  LengthFieldOptions,
  ResolvedLengthFieldOptions,
} from "./length-field-options.js";
export {
  DEFAULT_BYTE_ORDER,
  DEFAULT_LENGTH_ADJUSTMENT,
  DEFAULT_LENGTH_FIELD_LENGTH,
  DEFAULT_LENGTH_FIELD_OFFSET,
  DEFAULT_MAX_FRAME_BYTES,
  resolveLengthFieldOptions,
} from "./length-field-options.js";
export type { ParleyErrorOptions } from "./parley-error.js";
export { InvalidOptionError, isParleyError, ParleyError } from "./parley-error.js";
export { sniffProtocol } from "./protocol-sniffer.js";
