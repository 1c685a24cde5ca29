import { type FrameDecoderSourceOptions, resolveDecoder } from "./frame-streams.js";

/**
 * Decodes an async iterable of chunks (a Node `Readable`, a web stream, a generator) into frames.
 * Frames are views of the source's chunks: the source must not reuse its buffers. Ends with a
 * FRAME_TRUNCATED error when the source ends inside a frame.
 *
 * @example
 * for await (const frame of decodeFrames(socket)) handle(frame);
 * @throws {FramingError} any framing error code, from the iteration that met it.
 * @throws {InvalidOptionError} INVALID_OPTION (on the first iteration) when an option breaks its rule.
 */
export async function* decodeFrames(
  source: AsyncIterable<Uint8Array>,
  options: FrameDecoderSourceOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const decoder = resolveDecoder(options);
  for await (const chunk of source) {
    // Frames of one chunk are collected first: a generator cannot yield from inside a callback.
    yield* decoder.decode(chunk);
  }
  const last: Uint8Array[] = [];
  decoder.end((frame) => {
    last.push(frame);
  });
  yield* last;
}
